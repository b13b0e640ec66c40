// Node's ContainerHost (src/hypervisor/container-host.ts): roots from the bundled busybox, a
// directory or a tar archive (./container-roots.ts), ports published on the host's TCP stack.
import type { ContainerHost } from "../hypervisor/container-host.js";
import { parseForward } from "../net/user/usernet.js";
import { PublishedPorts } from "./container-net.js";
import { openContainerRoot } from "./container-roots.js";

export const nodeContainerHost: ContainerHost = {
  openRoot: openContainerRoot,
  publish: (forwards) => new PublishedPorts(forwards.map(parseForward).map((f) => ({ port: f.guestPort, hostPort: f.hostPort, hostAddress: f.hostAddress }))),
};

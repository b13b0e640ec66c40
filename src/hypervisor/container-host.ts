// What a host gives the containers it supervises (VmConfig boot kind "container"): their root
// trees and the host side of the ports they publish. Node's: src/node/container-host.ts.
// Browser-safe (an interface).
import type { HostNetwork } from "../container/sockets.js";
import type { Tree } from "../container/vfs.js";

export interface ContainerHost {
  /** The read-only base tree of root `spec` (busybox, a directory, a tar archive); throws with the reason. */
  openRoot(spec: string): Tree;
  /**
   * The host side of a container's network (net.user): its published ports ("tcp:[HOSTADDR]:
   * HOSTPORT-:PORT" each) and its connections out; none: the container has no network.
   */
  publish?(forwards: string[]): HostNetwork;
}

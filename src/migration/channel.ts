// The authenticated, encrypted channel a live migration runs over, on any message transport
// (the Node hosts use a WebSocket: src/api/migration-routes.ts). Both hosts hold the same
// secret; nothing derived from it ever crosses the wire:
//   target -> source  "WVMIG1" + 32 random bytes (the target's nonce)
//   source -> target  "WVMIG1" + 32 random bytes (the source's nonce)
// Each side derives two AES-256-GCM keys, one per direction, with HKDF-SHA-256 (RFC 5869) from
// the secret, salted with both nonces, so a recorded stream cannot be replayed to another
// target. Every later message is sealed with its direction's key under a 96-bit IV that counts
// the messages sent: a message changed, dropped, replayed, reordered or made without the secret
// fails to open, and the channel ends with ChannelAuthError. Browser-safe (WebCrypto).

const MAGIC = new TextEncoder().encode("WVMIG1");
const NONCE = 32;
const INFO = new TextEncoder().encode("wasmvisor live migration v1");

/** A bidirectional message transport: whole messages in order, as a WebSocket carries them. */
export interface Transport {
  /** Sends one message; resolves once it is handed to the network (back-pressure). */
  send(bytes: Uint8Array): Promise<void>;
  /** The next message; rejects once the transport has closed or failed. */
  receive(): Promise<Uint8Array>;
  close(reason?: string): void;
}

export class ChannelAuthError extends Error {
  constructor(message: string) { super(`migration: ${message}`); this.name = "ChannelAuthError"; }
}

export class SecureChannel {
  private sent = 0n;
  private received = 0n;

  private constructor(private readonly transport: Transport, private readonly sendKey: CryptoKey, private readonly recvKey: CryptoKey) {}

  /** The source's end: answers the target's challenge. */
  static async connect(transport: Transport, secret: string): Promise<SecureChannel> {
    const theirs = nonceOf(await transport.receive());
    const ours = randomNonce();
    await transport.send(framed(ours));
    const [toTarget, toSource] = await deriveKeys(secret, theirs, ours);
    return new SecureChannel(transport, toTarget, toSource);
  }

  /** The target's end: sends the challenge. The source is verified by its first sealed message. */
  static async accept(transport: Transport, secret: string): Promise<SecureChannel> {
    const ours = randomNonce();
    await transport.send(framed(ours));
    const theirs = nonceOf(await transport.receive());
    const [toTarget, toSource] = await deriveKeys(secret, ours, theirs);
    return new SecureChannel(transport, toSource, toTarget);
  }

  async send(message: Uint8Array): Promise<void> {
    const iv = ivOf(this.sent++);
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, this.sendKey, message as Uint8Array<ArrayBuffer>));
    await this.transport.send(sealed);
  }

  async receive(): Promise<Uint8Array> {
    const sealed = await this.transport.receive();
    const iv = ivOf(this.received++);
    try {
      return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv }, this.recvKey, sealed as Uint8Array<ArrayBuffer>));
    } catch {
      this.transport.close("the migration stream could not be verified: a different secret?");
      throw new ChannelAuthError("the other host's message could not be verified (a different secret, or the stream was altered)");
    }
  }

  close(reason?: string): void { this.transport.close(reason); }
}

function randomNonce(): Uint8Array<ArrayBuffer> { return crypto.getRandomValues(new Uint8Array(NONCE)); }

function framed(nonce: Uint8Array): Uint8Array {
  const out = new Uint8Array(MAGIC.length + NONCE);
  out.set(MAGIC);
  out.set(nonce, MAGIC.length);
  return out;
}

function nonceOf(m: Uint8Array): Uint8Array {
  if (m.length !== MAGIC.length + NONCE || !MAGIC.every((b, i) => m[i] === b)) throw new ChannelAuthError("the other end does not speak wasmvisor's migration protocol");
  return m.slice(MAGIC.length);
}

function ivOf(n: bigint): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setBigUint64(4, n, false);
  return iv;
}

/** [key for messages to the target, key for messages to the source]. */
async function deriveKeys(secret: string, targetNonce: Uint8Array, sourceNonce: Uint8Array): Promise<[CryptoKey, CryptoKey]> {
  if (secret.length < 16) throw new ChannelAuthError("the migration secret must be at least 16 characters");
  const ikm = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveBits"]);
  const salt = new Uint8Array(2 * NONCE);
  salt.set(targetNonce);
  salt.set(sourceNonce, NONCE);
  const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info: INFO }, ikm, 512));
  const key = (b: Uint8Array<ArrayBuffer>) => crypto.subtle.importKey("raw", b, "AES-GCM", false, ["encrypt", "decrypt"]);
  return [await key(bits.slice(0, 32)), await key(bits.slice(32))];
}

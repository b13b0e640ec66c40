/** An API refusal seen by a client command: one line with the server's message; exit status 1. */
export class ClientError extends Error {}

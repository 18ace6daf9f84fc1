import { epochExtensions, type NoteSigner, signCheckpoint } from '@ixr/exchange-log';

/**
 * Signs the log's tree heads as C2SP checkpoints with the log's Ed25519 key. The only holder of
 * the private key: the audit side verifies with the public key alone.
 */
export class CheckpointSigner {
  constructor(
    readonly origin: string,
    private readonly signer: NoteSigner,
    /** The public key to publish (`<name>+<id>+<base64>`). */
    readonly verifierKey: string,
  ) {}

  /** A checkpoint of `epoch`'s tree (epochs >= 1 say so in an extension line). */
  sign(size: number, rootHash: Uint8Array, epoch = 0): string {
    return signCheckpoint(
      { origin: this.origin, size, rootHash, extensions: epochExtensions(epoch) },
      this.signer,
    );
  }
}

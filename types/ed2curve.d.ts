// ed2curve 0.3.0 ships no types. Only what lanchat uses is declared.
declare module 'ed2curve' {
  /** Curve25519 public key from an Ed25519 one; null when the input is not a curve point. */
  export function convertPublicKey(publicKey: Uint8Array): Uint8Array | null;
  /** Curve25519 secret scalar from a 64-byte tweetnacl Ed25519 secret key. */
  export function convertSecretKey(secretKey: Uint8Array): Uint8Array;
  const ed2curve: {
    convertPublicKey: typeof convertPublicKey;
    convertSecretKey: typeof convertSecretKey;
  };
  export default ed2curve;
}

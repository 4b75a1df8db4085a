/**
 * age-encryption, loaded on first use: listing key names, validating and the language
 * server never decrypt, so they never pay for loading the cryptography.
 */
export type AgeModule = typeof import('age-encryption');

let age: Promise<AgeModule> | undefined;

export function loadAge(): Promise<AgeModule> {
  age ??= import('age-encryption');
  return age;
}

/** The public recipient (age1...) of an X25519 identity (AGE-SECRET-KEY-1...). */
export async function recipientOf(identity: string): Promise<string> {
  return (await loadAge()).identityToRecipient(identity);
}

/** A new X25519 identity: what `age-keygen` makes, readable by every age implementation. */
export async function newX25519Identity(): Promise<string> {
  return (await loadAge()).generateX25519Identity();
}

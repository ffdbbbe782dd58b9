/**
 * What the member and enterprise commands (`creditchain report|subject|consent|gateway`) get from
 * the program that hosts them: where to print, the selected profile's folder (where the local
 * gateway directory lives), the channel consents are signed for, the environment and the clock.
 * `scripts/creditchain.ts` adapts the operator CLI's context to it; tests build their own.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';

/** The context handed to each command group's `register`. */
export interface GatewayCliContext {
  /** Prints a line on standard output. */
  readonly out: (line: string) => void;
  /** Prints a line on standard error. */
  readonly err: (line: string) => void;
  /** The selected profile's folder `<home>/<profile>` (resolved when a command runs). */
  profileDir(): Promise<string>;
  /** The channel EIP-712 signatures are bound to (the profile's channel) when `--channel` is not given. */
  channel(): Promise<string>;
  /** Environment variables (`CREDITCHAIN_TOKEN`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The current time (consent windows, token lifetimes). */
  now(): Date;
}

/** A command group. */
export type GatewayCliRegister = (program: Command, ctx: GatewayCliContext) => void;

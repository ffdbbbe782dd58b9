/**
 * The member, enterprise and regulator commands of the `creditchain` CLI: `report`, `subject`,
 * `consent`, `gateway` and `audit`. The host program (`scripts/creditchain.ts`) calls
 * {@link registerGatewayCommands} with a {@link GatewayCliContext}; failures are {@link CliError}s
 * carrying a message and a hint.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';
import { registerAudit } from './audit.js';
import { registerConsent } from './consent.js';
import type { GatewayCliContext } from './context.js';
import { registerGateway } from './gateway.js';
import { registerReport } from './report.js';
import { registerSubject } from './subject.js';

export { CliError, cliFailure, type CliErrorCode } from './errors.js';
export type { GatewayCliContext, GatewayCliRegister } from './context.js';
export { registerAudit, registerConsent, registerGateway, registerReport, registerSubject };

/** Registers every member, enterprise and regulator command group on `program`. */
export function registerGatewayCommands(program: Command, ctx: GatewayCliContext): void {
  registerReport(program, ctx);
  registerSubject(program, ctx);
  registerConsent(program, ctx);
  registerGateway(program, ctx);
  registerAudit(program, ctx);
}

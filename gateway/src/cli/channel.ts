import type { GatewayCliContext } from './context.js';
import { invalidOption } from './errors.js';

/** Fabric's channel name rule. */
const CHANNEL = /^[a-z][a-z0-9.-]{0,248}$/;

/** The channel signatures are bound to: `--channel`, else the profile's. */
export async function channelOf(ctx: GatewayCliContext, option: string | undefined): Promise<string> {
  const channel = option ?? (await ctx.channel());
  if (!CHANNEL.test(channel))
    throw invalidOption('--channel must be a Fabric channel name (lower case letters, digits, . and -)');
  return channel;
}

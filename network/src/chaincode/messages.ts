/** Small helpers over `peer.ChaincodeMessage`. */
import { peer } from '@hyperledger/fabric-protos';

/** `ChaincodeMessage.Type` values. */
export const MsgType = peer.ChaincodeMessage.Type;
/** A `ChaincodeMessage.Type` value. */
export type MsgTypeValue = peer.ChaincodeMessage.TypeMap[keyof peer.ChaincodeMessage.TypeMap];

const TYPE_NAMES = new Map<number, string>(Object.entries(MsgType).map(([name, value]) => [value, name]));

/** The name of a message type as Fabric prints it (e.g. `GET_STATE`). */
export function messageTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? String(type);
}

/** Builds a `ChaincodeMessage`. */
export function chaincodeMessage(
  type: MsgTypeValue,
  fields: { readonly txId?: string; readonly channelId?: string; readonly payload?: Uint8Array } = {},
): peer.ChaincodeMessage {
  const msg = new peer.ChaincodeMessage();
  msg.setType(type);
  if (fields.txId !== undefined) msg.setTxid(fields.txId);
  if (fields.channelId !== undefined) msg.setChannelId(fields.channelId);
  if (fields.payload !== undefined && fields.payload.length > 0) msg.setPayload(fields.payload);
  return msg;
}

/** The key under which the peer tracks a transaction: channel ID followed by transaction ID. */
export function contextKey(channelId: string, txId: string): string {
  return `${channelId}\u0000${txId}`;
}

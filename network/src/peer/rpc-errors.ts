import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { gateway, google } from '@hyperledger/fabric-protos';
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';

/** One endorser's or orderer's failure, as the gateway reports it to clients. */
export interface ErrorDetail {
  readonly address: string;
  readonly mspId: string;
  readonly message: string;
}

/**
 * A gRPC error as Fabric's gateway returns it: status code, message, and a
 * `grpc-status-details-bin` trailer holding `google.rpc.Status` with packed `gateway.ErrorDetail`s.
 */
export function rpcError(code: Status, message: string, details: readonly ErrorDetail[] = []): ServiceError {
  const metadata = new Metadata();
  const status = new google.rpc.Status();
  status.setCode(code);
  status.setMessage(message);
  status.setDetailsList(
    details.map((d) => {
      const detail = new gateway.ErrorDetail();
      detail.setAddress(d.address);
      detail.setMspId(d.mspId);
      detail.setMessage(d.message);
      const any = new anyPb.Any();
      any.pack(detail.serializeBinary(), 'gateway.ErrorDetail');
      return any;
    }),
  );
  metadata.set('grpc-status-details-bin', Buffer.from(status.serializeBinary()));
  const error = new Error(message) as ServiceError;
  error.code = code;
  error.details = message;
  error.metadata = metadata;
  return error;
}

// Ambient typings for CommonJS internals the harness loads directly (they ship no declarations).

declare module 'fabric-shim/lib/contract-spi/chaincodefromcontract.js' {
  /** fabric-shim's contract-to-chaincode adapter (what `fabric-chaincode-node start|server` runs). */
  class ChaincodeFromContract {
    constructor(
      contractClasses: Array<new () => unknown>,
      serializers: { transaction: string; serializers: Record<string, unknown> },
      metadata?: Record<string, unknown>,
      title?: string,
      version?: string,
    );
    Init(stub: import('fabric-shim').ChaincodeStub): Promise<import('fabric-shim').ChaincodeResponse>;
    Invoke(stub: import('fabric-shim').ChaincodeStub): Promise<import('fabric-shim').ChaincodeResponse>;
  }
  export = ChaincodeFromContract;
}

declare module 'fabric-shim/lib/stub.js' {
  /** fabric-shim's real ChaincodeStub; the constructor is internal (the handler calls it). */
  const ChaincodeStub: new (
    handler: unknown,
    channelId: string,
    txId: string,
    chaincodeInput: import('@hyperledger/fabric-protos').peer.ChaincodeInput,
    signedProposal?: import('@hyperledger/fabric-protos').peer.SignedProposal,
  ) => import('fabric-shim').ChaincodeStub & {
    chaincodeEvent?: import('@hyperledger/fabric-protos').peer.ChaincodeEvent;
  };
  export default ChaincodeStub;
}

declare module 'fabric-shim/lib/iterators.js' {
  type QueryResponse = import('@hyperledger/fabric-protos').peer.QueryResponse;
  type Iter<T> = import('fabric-shim').Iterators.CommonIterator<T>;
  /** fabric-shim's iterators over peer `QueryResponse` batches. */
  export const StateQueryIterator: new (
    handler: unknown,
    channelId: string,
    txId: string,
    response: QueryResponse,
  ) => Iter<import('fabric-shim').Iterators.KV>;
  export const HistoryQueryIterator: new (
    handler: unknown,
    channelId: string,
    txId: string,
    response: QueryResponse,
  ) => Iter<import('fabric-shim').Iterators.KeyModification>;
  const iterators: {
    StateQueryIterator: typeof StateQueryIterator;
    HistoryQueryIterator: typeof HistoryQueryIterator;
  };
  export default iterators;
}

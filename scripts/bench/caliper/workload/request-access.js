'use strict';
// RequestAccess with a consent that does not exist: every transaction commits a new receipt, denied
// with CONSENT_NOT_FOUND (as the trail-setup round of `npm run bench`). Such receipts do not contend on
// a consent's use counter, so the round measures receipt writes, not MVCC conflicts.
//
// Set-up: each worker submits one report (as YangtzeMSP's officer); the other members' officers then
// request access to it, each with a unique request id and a consent id derived from it.
//
// Round arguments (all optional):
//   contractId  chaincode id in the network configuration (default credit)
//   purpose     a business purpose of the requesting members (default loan_underwriting)

const { caliperCore, MEMBER_OFFICERS, hex64, runPrefix, submitReportNow } = require('./common');

const { WorkloadModuleBase } = caliperCore();

class RequestAccessWorkload extends WorkloadModuleBase {
  async initializeWorkloadModule(
    workerIndex,
    totalWorkers,
    roundIndex,
    roundArguments,
    sutAdapter,
    sutContext,
  ) {
    await super.initializeWorkloadModule(
      workerIndex,
      totalWorkers,
      roundIndex,
      roundArguments,
      sutAdapter,
      sutContext,
    );
    const args = roundArguments ?? {};
    this.contractId = args.contractId ?? 'credit';
    this.purpose = args.purpose ?? 'loan_underwriting';
    this.prefix = runPrefix('acc', workerIndex, roundIndex);
    const [provider, ...requesters] = MEMBER_OFFICERS;
    this.requesters = requesters;
    this.reportId = `${this.prefix}-report`;
    await submitReportNow(sutAdapter, this.contractId, provider, this.reportId, 'business');
    this.seq = 0;
  }

  async submitTransaction() {
    const seq = this.seq++;
    const requester = this.requesters[seq % this.requesters.length];
    const requestId = `${this.prefix}-${seq}`;
    return this.sutAdapter.sendRequests({
      contractId: this.contractId,
      contractFunction: 'RequestAccess',
      invokerMspId: requester.mspId,
      invokerIdentity: requester.identity,
      contractArguments: [requestId, this.reportId, hex64(`consent:${requestId}`), this.purpose],
      readOnly: false,
    });
  }
}

function createWorkloadModule() {
  return new RequestAccessWorkload();
}

module.exports.createWorkloadModule = createWorkloadModule;

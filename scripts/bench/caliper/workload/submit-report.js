'use strict';
// SubmitReport of a new report per transaction, as a member institution's officer (User1 of each
// member organisation in turn, each through its own organisation's peer).
//
// Round arguments (all optional):
//   contractId  chaincode id in the network configuration (default credit)
//   orgs        MSP ids of the submitting member organisations (default all three members)

const { caliperCore, MEMBER_OFFICERS, CATEGORIES, runPrefix, reportArgument } = require('./common');

const { WorkloadModuleBase } = caliperCore();

class SubmitReportWorkload extends WorkloadModuleBase {
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
    this.invokers = args.orgs ? MEMBER_OFFICERS.filter((o) => args.orgs.includes(o.mspId)) : MEMBER_OFFICERS;
    if (this.invokers.length === 0) throw new Error(`no member officer among orgs ${String(args.orgs)}`);
    this.prefix = runPrefix('rpt', workerIndex, roundIndex);
    this.seq = 0;
  }

  async submitTransaction() {
    const seq = this.seq++;
    const invoker = this.invokers[(seq + this.workerIndex) % this.invokers.length];
    return this.sutAdapter.sendRequests({
      contractId: this.contractId,
      contractFunction: 'SubmitReport',
      invokerMspId: invoker.mspId,
      invokerIdentity: invoker.identity,
      contractArguments: [reportArgument(`${this.prefix}-${seq}`, CATEGORIES[seq % CATEGORIES.length])],
      readOnly: false,
    });
  }
}

function createWorkloadModule() {
  return new SubmitReportWorkload();
}

module.exports.createWorkloadModule = createWorkloadModule;

import type { ServiceError } from '@grpc/grpc-js';
import { status as Grpc } from '@grpc/grpc-js';
import { CommitError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import { describe, expect, it } from 'vitest';
import { LedgerError } from '../ports/ledger-error.js';
import { toLedgerError } from './fabric-errors.js';

const cause = new Error('grpc') as ServiceError;

function shape(err: unknown): unknown {
  expect(err).toBeInstanceOf(LedgerError);
  const e = err as LedgerError;
  return {
    name: e.name,
    code: e.code,
    message: e.message,
    retryable: e.retryable,
    transaction: e.transaction,
    txId: e.txId,
  };
}

describe('toLedgerError', () => {
  it('keeps a contract refusal reported in an endorser detail (endorse: ABORTED)', () => {
    const err = new EndorseError({
      code: Grpc.ABORTED,
      message: '10 ABORTED: failed to endorse transaction, see attached details for more info',
      details: [
        { address: 'peer0:7051', mspId: 'YangtzeMSP', message: 'REPORT_EXISTS: report rpt-1 already exists' },
      ],
      cause,
      transactionId: 'tx-1',
    });
    expect(shape(toLedgerError(err, 'SubmitReport'))).toEqual({
      name: 'LedgerError',
      code: 'REPORT_EXISTS',
      message: 'REPORT_EXISTS: report rpt-1 already exists',
      retryable: false,
      transaction: 'SubmitReport',
      txId: 'tx-1',
    });
  });

  it('treats endorsers that disagree (one a block behind) as a retryable conflict, not as the laggard’s refusal', () => {
    const err = new EndorseError({
      code: Grpc.ABORTED,
      message:
        '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info',
      details: [
        { address: 'peer0:8051', mspId: 'PearlMSP', message: 'RECEIPT_NOT_FOUND: receipt r-1 not found' },
      ],
      cause,
      transactionId: 'tx-2',
    });
    expect(shape(toLedgerError(err, 'RecordDelivery'))).toMatchObject({
      code: 'LEDGER_CONFLICT',
      retryable: true,
      txId: 'tx-2',
    });
  });

  it('keeps a contract refusal of an evaluate ("chaincode response 500, CODE: ...")', () => {
    const err = new GatewayError({
      code: Grpc.UNKNOWN,
      message:
        '2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, REPORT_NOT_FOUND: report x does not exist',
      details: [],
      cause,
    });
    expect(shape(toLedgerError(err, 'GetReport'))).toMatchObject({
      code: 'REPORT_NOT_FOUND',
      retryable: false,
    });
  });

  it('ignores upper-case words that are not contract codes', () => {
    const err = new GatewayError({
      code: Grpc.UNKNOWN,
      message: 'UNKNOWN: FOO_BAR: nothing',
      details: [],
      cause,
    });
    expect(shape(toLedgerError(err, 'GetReport'))).toMatchObject({ code: 'LEDGER_REJECTED' });
  });

  it.each([Grpc.UNAVAILABLE, Grpc.DEADLINE_EXCEEDED])(
    'maps gRPC status %i to the retryable LEDGER_UNAVAILABLE',
    (code) => {
      const err = new GatewayError({ code, message: 'no connection', details: [], cause });
      expect(shape(toLedgerError(err, 'GetReport'))).toMatchObject({
        code: 'LEDGER_UNAVAILABLE',
        retryable: true,
      });
    },
  );

  it('maps an MVCC conflict to LEDGER_CONFLICT and other invalid commits to LEDGER_REJECTED', () => {
    expect(
      shape(toLedgerError(new CommitError({ code: 11, transactionId: 't' }), 'RequestAccess')),
    ).toMatchObject({
      code: 'LEDGER_CONFLICT',
      retryable: true,
      txId: 't',
    });
    expect(
      shape(toLedgerError(new CommitError({ code: 10, transactionId: 't' }), 'SubmitReport')),
    ).toMatchObject({
      code: 'LEDGER_REJECTED',
      message: 'SubmitReport was committed invalid (ENDORSEMENT_POLICY_FAILURE)',
    });
  });

  it('returns errors that are not the Fabric client’s unchanged', () => {
    const bug = new TypeError('x is undefined');
    expect(toLedgerError(bug, 'GetReport')).toBe(bug);
  });
});

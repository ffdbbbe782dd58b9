import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { DEFAULT_THRESHOLDS } from './alerts.js';

const base = {
  mspId: 'RegulatorMSP',
  listen: { port: 10443 },
  tls: { certFile: 'tls/server.crt', keyFile: 'tls/server.key' },
  ledger: { connectionProfile: 'connection-regulator.json', channel: 'creditchain' },
  vaultDir: 'data/vault',
  walletDir: 'data/wallet',
  tokensDir: 'data/tokens',
  keysDir: 'keys/RegulatorMSP',
  subjectKey: { env: 'K' },
};

describe('the audit section of the gateway configuration', () => {
  it('is optional', () => {
    expect(parseConfig(base, '/etc/cc').audit).toBeUndefined();
  });

  it('resolves paths and fills in default thresholds', () => {
    const config = parseConfig(
      {
        ...base,
        audit: {
          dataDir: 'data/audit',
          user: 'Regulator1',
          orderer: { mspId: 'OrdererMSP', caFiles: ['orderer-ca.pem'] },
          thresholds: { denials: { count: 5 }, supervisory: false },
        },
      },
      '/etc/cc',
    );
    expect(config.audit).toEqual({
      enabled: true,
      dataDir: '/etc/cc/data/audit',
      user: 'Regulator1',
      orderer: { mspId: 'OrdererMSP', caFiles: ['/etc/cc/orderer-ca.pem'] },
      thresholds: {
        ...DEFAULT_THRESHOLDS,
        denials: { count: 5, windowSeconds: DEFAULT_THRESHOLDS.denials.windowSeconds },
        supervisory: false,
      },
    });
  });

  it('names what is wrong', () => {
    const bad = (audit: unknown) => () => parseConfig({ ...base, audit }, '/');
    expect(bad({ user: 'R' })).toThrow('audit.dataDir');
    expect(bad({ dataDir: 'a' })).toThrow('audit.user');
    expect(bad({ dataDir: 'a', user: 'R', enabled: 'yes' })).toThrow('audit.enabled');
    expect(bad({ dataDir: 'a', user: 'R', thresholds: { burst: { requests: 0 } } })).toThrow(
      'audit.thresholds.burst.requests',
    );
    expect(bad({ dataDir: 'a', user: 'R', thresholds: { denials: { windowSeconds: 1.5 } } })).toThrow(
      'audit.thresholds.denials.windowSeconds',
    );
    expect(bad({ dataDir: 'a', user: 'R', orderer: { mspId: 'O', caFiles: [] } })).toThrow(
      'audit.orderer.caFiles',
    );
  });
});

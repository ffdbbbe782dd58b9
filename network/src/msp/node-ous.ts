/**
 * Fabric's NodeOUs `config.yaml` for an MSP folder: NodeOUs enabled, each OU identifier certified by the
 * MSP's CA certificate at `cacerts/<caCertFile>`. Byte-identical to what Fabric's test-network writes.
 * @param caCertFile file name of the CA certificate inside `cacerts/`, e.g. `ca.org1.example.com-cert.pem`.
 */
export function nodeOUsConfigYaml(caCertFile: string): string {
  const id = (key: string, ou: string): string =>
    `  ${key}:\n    Certificate: cacerts/${caCertFile}\n    OrganizationalUnitIdentifier: ${ou}\n`;
  return (
    'NodeOUs:\n' +
    '  Enable: true\n' +
    id('ClientOUIdentifier', 'client') +
    id('PeerOUIdentifier', 'peer') +
    id('AdminOUIdentifier', 'admin') +
    id('OrdererOUIdentifier', 'orderer')
  );
}

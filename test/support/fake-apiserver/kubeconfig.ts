import { KubeConfig } from '@kubernetes/client-node';

/**
 * A kubeconfig for a plain-HTTP server with no authentication. client-node refuses `http:` servers
 * unless `skipTLSVerify` is set, so it is.
 */
export function fakeKubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'fake' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return kc;
}

/** The same kubeconfig as a YAML file's text, for `--kubeconfig` in process-level tests. */
export function fakeKubeconfigYaml(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: fake',
    '    cluster:',
    `      server: ${server}`,
    '      insecure-skip-tls-verify: true',
    'users:',
    '  - name: fake',
    '    user: {}',
    'contexts:',
    '  - name: fake',
    '    context:',
    '      cluster: fake',
    '      user: fake',
    'current-context: fake',
    '',
  ].join('\n');
}

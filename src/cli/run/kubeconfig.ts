import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../../errors.js';

/**
 * kube-proxy's client configuration: in-cluster by default; `--kubeconfig FILE` instead; `--master`
 * overrides the server of either (alone, it is used without credentials, as clientcmd does).
 */
export function loadKubeConfig(kubeconfig: string | undefined, master: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else if (master) return masterOnly(master);
    else kc.loadFromCluster();
  } catch (err) {
    const what = kubeconfig
      ? `cannot load the kubeconfig ${kubeconfig}`
      : 'cannot load the in-cluster configuration';
    throw new ConfigError(`${what}: ${err instanceof Error ? err.message : String(err)}`, undefined, {
      cause: err,
    });
  }
  if (kc.getCurrentCluster() === null)
    throw new ConfigError('the kubeconfig has no current cluster', kubeconfig);
  return master ? withServer(kc, master) : kc;
}

function masterOnly(master: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'master', server: master, skipTLSVerify: master.startsWith('http:') }],
    users: [{ name: 'anonymous' }],
    contexts: [{ name: 'master', cluster: 'master', user: 'anonymous' }],
    currentContext: 'master',
  });
  return kc;
}

function withServer(kc: KubeConfig, master: string): KubeConfig {
  const current = kc.getCurrentCluster();
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.name === current?.name ? { ...c, server: master } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return out;
}

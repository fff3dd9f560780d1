export { FakeApiServer, type FakeApiServerOptions } from './server.js';
export { fakeKubeConfig, fakeKubeconfigYaml } from './kubeconfig.js';
export type { KubeObject, ObjectMeta } from './objects.js';
export type { RequestMatch, RequestRecord, Verb } from './requests.js';
export type { ResourceName } from './resources.js';
export type { WatchEvent, WatchEventType } from './watch.js';
export { WatchClient } from './watch-client.js';

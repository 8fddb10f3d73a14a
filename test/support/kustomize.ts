import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseYamlDocuments, readText, readYaml, ROOT } from './deploy-files.js';

/** `kubectl kustomize` is on this machine kind; without it only the base can be read (file by file). */
export const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; namespace?: string };
  [field: string]: unknown;
};

/** The objects a kustomization renders to. */
export function renderKustomization(directory: string): Manifest[] {
  if (hasKubectl) {
    const rendered = execFileSync('kubectl', ['kustomize', join(ROOT, directory)], { encoding: 'utf8' });
    return parseYamlDocuments(rendered) as Manifest[];
  }
  const { resources } = readYaml<{ resources: string[] }>(`${directory}/kustomization.yaml`);
  return resources.flatMap((file) => parseYamlDocuments(readText(`${directory}/${file}`)) as Manifest[]);
}

/** Manifests are free-form YAML that the tests read field by field, hence the loose type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function findManifest<T = Record<string, any>>(manifests: Manifest[], kind: string, name?: string): T {
  const found = manifests.find((manifest) => manifest.kind === kind && (!name || manifest.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} rendered`);
  return found as T;
}

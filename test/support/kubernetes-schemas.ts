import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';

type Validator = (manifest: Record<string, unknown>) => void;
const model =
  (Model: new (data: never) => { validate(): void }): Validator =>
  (manifest) =>
    new Model(manifest as never).validate();

/**
 * Kubernetes OpenAPI validators (the `kubernetes-models` packages) by apiVersion/kind. They check
 * types, required fields and enums; they do not reject unknown fields.
 */
export async function kubernetesValidators(): Promise<Record<string, Validator>> {
  // ESM-only package: loaded with a real dynamic import.
  const { PrometheusRule, ServiceMonitor } =
    await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1');
  return {
    'v1/ConfigMap': model(ConfigMap),
    'v1/Secret': model(Secret),
    'v1/Service': model(Service),
    'v1/ServiceAccount': model(ServiceAccount),
    'apps/v1/Deployment': model(Deployment),
    'autoscaling/v2/HorizontalPodAutoscaler': model(HorizontalPodAutoscaler),
    'batch/v1/Job': model(Job),
    'networking.k8s.io/v1/NetworkPolicy': model(NetworkPolicy),
    'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
    'monitoring.coreos.com/v1/ServiceMonitor': model(ServiceMonitor),
    'monitoring.coreos.com/v1/PrometheusRule': model(PrometheusRule),
  };
}

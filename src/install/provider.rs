//! Traffic providers `install` supports and what each implies (Kurator's fleet plugin and
//! Flagger's install docs): the install namespace, Flagger's `-mesh-provider` and the default
//! metrics server.

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Istio,
    Nginx,
    Kuma,
    Gatewayapi,
    Linkerd,
    Contour,
    Kubernetes,
}

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::Istio => "istio",
            Provider::Nginx => "nginx",
            Provider::Kuma => "kuma",
            Provider::Gatewayapi => "gatewayapi",
            Provider::Linkerd => "linkerd",
            Provider::Contour => "contour",
            Provider::Kubernetes => "kubernetes",
        }
    }

    /// Where Flagger and the public load tester go (Kurator's names for istio, kuma, nginx;
    /// Flagger's documented namespaces for the others).
    pub fn namespace(self) -> &'static str {
        match self {
            Provider::Istio => "istio-system",
            Provider::Nginx => "ingress-nginx",
            Provider::Kuma => "kuma-system",
            Provider::Contour => "projectcontour",
            Provider::Gatewayapi | Provider::Linkerd | Provider::Kubernetes => "flagger-system",
        }
    }

    /// The value of Flagger's `-mesh-provider` flag.
    pub fn mesh_provider(self) -> &'static str {
        match self {
            Provider::Gatewayapi => "gatewayapi:v1",
            other => other.name(),
        }
    }

    /// Flagger's metrics server when `--metrics-server` is not given.
    pub fn default_metrics_server(self, flagger_release: &str) -> String {
        match self {
            Provider::Istio => "http://prometheus:9090".into(),
            // Kurator installs Flagger's bundled Prometheus for nginx, named after the release.
            Provider::Nginx => format!("http://{flagger_release}-prometheus.ingress-nginx:9090"),
            Provider::Kuma => "http://prometheus-server.mesh-observability:80".into(),
            Provider::Linkerd => "http://prometheus.linkerd-viz:9090".into(),
            Provider::Gatewayapi | Provider::Contour | Provider::Kubernetes => "http://flagger-prometheus:9090".into(),
        }
    }

    /// Extra Flagger flags a provider needs.
    pub fn extra_args(self) -> &'static [&'static str] {
        match self {
            Provider::Contour => &["-ingress-class=contour"],
            _ => &[],
        }
    }

    pub fn from_mesh_provider(value: &str) -> Option<Provider> {
        let base = value.split(':').next().unwrap_or(value);
        Provider::from_str(base, true).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_facts() {
        assert_eq!(Provider::Istio.namespace(), "istio-system");
        assert_eq!(Provider::Nginx.namespace(), "ingress-nginx");
        assert_eq!(Provider::Kuma.namespace(), "kuma-system");
        assert_eq!(Provider::Gatewayapi.mesh_provider(), "gatewayapi:v1");
        assert_eq!(
            Provider::Nginx.default_metrics_server("ingress-nginx-flagger-m1"),
            "http://ingress-nginx-flagger-m1-prometheus.ingress-nginx:9090"
        );
        assert_eq!(
            Provider::from_mesh_provider("gatewayapi:v1beta1"),
            Some(Provider::Gatewayapi)
        );
        assert_eq!(Provider::from_mesh_provider("appmesh"), None);
    }
}

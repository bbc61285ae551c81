using Loire.Silo.Hosting;

namespace Loire.DeployTests;

/// <summary>The properties of deploy/kubernetes that the silo relies on, beyond what the schemas check.</summary>
public sealed class KubernetesManifestTests
{
    private static readonly KubernetesObject s_silo = KubernetesObject.Single("Deployment", "loire-silo");
    private static readonly object? s_pod = s_silo.Root.At("spec", "template");
    private static readonly object? s_container = s_pod.Items("spec", "containers").Single();

    [Fact]
    public void SiloProbesLivenessAndReadinessOnTheHttpPort()
    {
        Assert.Equal("/health/live", s_container.Text("livenessProbe", "httpGet", "path"));
        Assert.Equal("/health/ready", s_container.Text("readinessProbe", "httpGet", "path"));
        Assert.Equal("/health/live", s_container.Text("startupProbe", "httpGet", "path"));
        var http = s_container.Items("ports").Single(p => p.Text("name") == "http");
        Assert.Equal("5080", http.Text("containerPort"));
        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            Assert.Equal("http", s_container.Text(probe, "httpGet", "port"));
        }
    }

    [Fact]
    public void TerminationGraceIsLongerThanTheSiloShutdownTimeout()
    {
        var grace = TimeSpan.FromSeconds(int.Parse(s_pod.Text("spec", "terminationGracePeriodSeconds")!));
        Assert.True(grace > LoireSiloHost.ShutdownTimeout, $"terminationGracePeriodSeconds {grace.TotalSeconds} <= {LoireSiloHost.ShutdownTimeout.TotalSeconds}");
    }

    [Fact]
    public void SiloRunsKubernetesHostingInRedisClusterMode()
    {
        var args = string.Join(' ', s_container.Items("args").Cast<string>());
        Assert.Contains("--cluster redis --redis redis:6379", args);
        var env = s_container.Items("env").ToDictionary(e => e.Text("name")!, e => e);
        Assert.Equal("true", env["LOIRE_Kubernetes"].Text("value"));
        Assert.Equal("metadata.name", env["POD_NAME"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("status.podIP", env["POD_IP"].Text("valueFrom", "fieldRef", "fieldPath"));

        // Kubernetes hosting finds the cluster's pods by these labels; the silo's ids come from the same labels.
        var labels = s_pod.Map("metadata", "labels");
        Assert.Equal("metadata.labels['orleans/serviceId']", env["LOIRE_ServiceId"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.labels['orleans/clusterId']", env["LOIRE_ClusterId"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.True(labels.ContainsKey("orleans/serviceId") && labels.ContainsKey("orleans/clusterId"));
    }

    [Fact]
    public void SiloServiceAccountMayWatchAndDeletePods()
    {
        var account = s_pod.Text("spec", "serviceAccountName");
        Assert.NotNull(KubernetesObject.Single("ServiceAccount", account!));
        var binding = KubernetesObject.OfKind("RoleBinding").Single(b => b.Root.Items("subjects").Any(s => s.Text("name") == account));
        var role = KubernetesObject.Single("Role", binding.Root.Text("roleRef", "name")!);
        var rule = role.Root.Items("rules").Single(r => r.Items("resources").Contains("pods"));
        foreach (var verb in new[] { "get", "list", "watch", "patch", "delete" })
        {
            Assert.Contains(verb, rule.Items("verbs"));
        }
    }

    [Fact]
    public void SiloRunsAsNonRootWithResourceBounds()
    {
        Assert.Equal("true", s_pod.Text("spec", "securityContext", "runAsNonRoot"));
        foreach (var bound in new[] { "requests", "limits" })
        {
            Assert.NotNull(s_container.Text("resources", bound, "cpu"));
            Assert.NotNull(s_container.Text("resources", bound, "memory"));
        }
    }

    [Fact]
    public void DisruptionBudgetCoversTheSilos()
    {
        var budget = KubernetesObject.OfKind("PodDisruptionBudget").Single();
        Assert.Equal(s_silo.Root.Map("spec", "selector", "matchLabels"), budget.Root.Map("spec", "selector", "matchLabels"));
        Assert.Equal("1", budget.Root.Text("spec", "maxUnavailable"));
    }

    [Fact]
    public void ServicesExposeGatewayAndHttpPortsOfTheSilos()
    {
        var selector = s_silo.Root.Map("spec", "selector", "matchLabels");
        Assert.Equal(selector, KubernetesObject.Single("Service", "loire-gateway").Root.Map("spec", "selector"));
        Assert.Equal(selector, KubernetesObject.Single("Service", "loire-http").Root.Map("spec", "selector"));
        Assert.Equal("30000", KubernetesObject.Single("Service", "loire-gateway").Root.Text("spec", "ports", 0, "port"));
        Assert.Equal("5080", KubernetesObject.Single("Service", "loire-http").Root.Text("spec", "ports", 0, "port"));
    }

    [Fact]
    public void RedisFsyncsEveryWriteOntoAPersistentVolume()
    {
        var redis = KubernetesObject.Single("StatefulSet", "redis");
        var args = string.Join(' ', redis.Root.Items("spec", "template", "spec", "containers", 0, "args").Cast<string>());
        Assert.Contains("--appendonly yes", args);
        Assert.Contains("--appendfsync always", args);
        Assert.Equal("/data", redis.Root.Text("spec", "template", "spec", "containers", 0, "volumeMounts", 0, "mountPath"));
        Assert.NotEmpty(redis.Root.Items("spec", "volumeClaimTemplates"));
    }

    [Theory]
    [InlineData("loire-silo", "prefix")]
    [InlineData("orders-consumer", "entity")]
    public void ScaledObjectReadsQueueDepthFromTheSiloScalerEndpoint(string name, string query)
    {
        var scaled = KubernetesObject.Single("ScaledObject", name);
        var target = scaled.Root.Text("spec", "scaleTargetRef", "name")!;
        Assert.NotNull(KubernetesObject.Single("Deployment", target));

        var trigger = scaled.Root.Items("spec", "triggers").Single();
        Assert.Equal("metrics-api", trigger.Text("type"));
        Assert.Equal("value", trigger.Text("metadata", "valueLocation"));
        Assert.Equal("json", trigger.Text("metadata", "format"));
        Assert.True(long.Parse(trigger.Text("metadata", "targetValue")!) > 0);

        var url = new Uri(trigger.Text("metadata", "url")!);
        Assert.Equal("/scaler/v1/depth", url.AbsolutePath);
        Assert.StartsWith($"?{query}=", url.Query);
        Assert.Equal("loire-http.loire.svc", url.Host);
        Assert.Equal(KubernetesObject.Single("Service", "loire-http").Root.Text("spec", "ports", 0, "port"), url.Port.ToString());
    }

    [Theory]
    [InlineData("loire-silo")]
    [InlineData("orders-consumer")]
    public void ScaledObjectSendsTheSecretsTokenAsTheAuthorizationHeader(string name)
    {
        // The silo wants "Authorization: SharedAccessSignature ..." on /scaler under --access-rules: KEDA's apiKey mode
        // in a header named Authorization sends the key verbatim.
        var trigger = KubernetesObject.Single("ScaledObject", name).Root.Items("spec", "triggers").Single();
        Assert.Equal("apiKey", trigger.Text("metadata", "authMode"));
        Assert.Equal("header", trigger.Text("metadata", "method"));
        Assert.Equal("Authorization", trigger.Text("metadata", "keyParamName"));

        var authentication = KubernetesObject.Single("TriggerAuthentication", trigger.Text("authenticationRef", "name")!);
        var reference = authentication.Root.Items("spec", "secretTargetRef").Single(r => r.Text("parameter") == "apiKey");
        var secret = KubernetesObject.Single("Secret", reference.Text("name")!);
        Assert.StartsWith("SharedAccessSignature ", secret.Root.Text("stringData", reference.Text("key")!));
    }

    [Fact]
    public void SilosNeverScaleToZeroSinceTheyServeTheScalerEndpoint()
    {
        var scaled = KubernetesObject.Single("ScaledObject", "loire-silo");
        Assert.True(int.Parse(scaled.Root.Text("spec", "minReplicaCount")!) >= 1);
    }

    [Fact]
    public void KustomizationListsEveryManifest()
    {
        var kustomization = YamlTree.LoadAll(Path.Combine(DeployFolder.Kubernetes, "kustomization.yaml")).Single();
        var listed = kustomization.Items("resources").Cast<string>().Order(StringComparer.Ordinal);
        var files = DeployFolder.YamlFiles(DeployFolder.Kubernetes).Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal);
        Assert.Equal(files, listed);
    }
}

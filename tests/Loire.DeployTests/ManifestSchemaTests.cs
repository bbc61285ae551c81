namespace Loire.DeployTests;

/// <summary>Every Kubernetes object under deploy/kubernetes against the Kubernetes and KEDA schemas, offline.</summary>
public sealed class ManifestSchemaTests(ManifestValidator validator) : IClassFixture<ManifestValidator>
{
    [Fact]
    public async Task EveryManifestMatchesItsSchema()
    {
        var files = DeployFolder.YamlFiles(DeployFolder.Kubernetes);
        var result = await validator.ValidateAsync(files);

        Assert.True(result.ExitCode == 0, $"Schema validation failed (exit {result.ExitCode}):{Environment.NewLine}{result.Output}");
        var validated = result.Output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal));
        Assert.Equal(KubernetesObject.All.Count, validated);
        foreach (var kind in new[] { "Deployment", "Service", "PodDisruptionBudget", "StatefulSet", "ScaledObject", "Role", "RoleBinding", "ServiceAccount", "TriggerAuthentication", "Secret" })
        {
            Assert.Contains($"/{kind} ", result.Output);
        }
    }

    [Theory]
    [InlineData("string where the schema wants an integer", "periodSeconds: 10", "periodSeconds: \"ten\"", "periodSeconds must be integer")]
    [InlineData("unknown probe field", "path: /health/ready", "path: /health/ready\n              pth: /health", "unknown field /spec/template/spec/containers/0/readinessProbe/httpGet/pth")]
    [InlineData("misspelled container field", "ports:\n", "prots:\n", "unknown field /spec/template/spec/containers/0/prots")]
    [InlineData("container port as a string", "containerPort: 5080", "containerPort: \"5080\"", "containerPort must be integer")]
    [InlineData("unknown apiVersion", "apiVersion: apps/v1", "apiVersion: apps/v9", "no schema for apps/v9 Deployment")]
    public async Task BrokenSiloManifestIsRejected(string what, string original, string broken, string expectedError)
    {
        var manifest = await File.ReadAllTextAsync(Path.Combine(DeployFolder.Kubernetes, "silo.yaml"));
        Assert.True(manifest.Contains(original, StringComparison.Ordinal), $"silo.yaml no longer contains '{original}'; update the test ({what})");
        var result = await ValidateTextAsync(ReplaceFirst(manifest, original, broken));

        Assert.True(result.ExitCode == 1, $"A manifest with a {what} passed (exit {result.ExitCode}):{Environment.NewLine}{result.Output}");
        Assert.Contains(expectedError, result.Output);
    }

    [Fact]
    public async Task ScaledObjectWithNumericTargetValueIsRejected()
    {
        // KEDA trigger metadata is a map of strings: an unquoted 5000 is a number, which the KEDA schema refuses.
        var manifest = await File.ReadAllTextAsync(Path.Combine(DeployFolder.Kubernetes, "keda-silo-scaledobject.yaml"));
        var result = await ValidateTextAsync(ReplaceFirst(manifest, "targetValue: \"5000\"", "targetValue: 5000"));

        Assert.True(result.ExitCode == 1, $"A numeric targetValue passed:{Environment.NewLine}{result.Output}");
        Assert.Contains("targetValue must be string", result.Output);
    }

    [Theory]
    [InlineData("name: loire-scaler\n", "name: loire-scaler-renamed\n", "authenticationRef TriggerAuthentication loire-scaler does not exist")]
    [InlineData("name: loire-scaler-token\n", "name: loire-scaler-other\n", "secretTargetRef Secret loire-scaler-token does not exist")]
    [InlineData("key: token\n", "key: tokn\n", "secretTargetRef Secret loire-scaler-token has no key tokn")]
    public async Task BrokenScalerAuthenticationReferenceIsRejected(string original, string broken, string expectedError)
    {
        // Every file of the folder, with the scaler's authentication objects edited so one reference no longer resolves.
        var auth = Path.Combine(DeployFolder.Kubernetes, "keda-scaler-auth.yaml");
        var manifest = await File.ReadAllTextAsync(auth);
        Assert.True(manifest.Contains(original, StringComparison.Ordinal), $"keda-scaler-auth.yaml no longer contains '{original}'; update the test");
        var folder = Directory.CreateTempSubdirectory("loire-manifest-").FullName;
        try
        {
            var copy = Path.Combine(folder, "keda-scaler-auth.yaml");
            await File.WriteAllTextAsync(copy, ReplaceFirst(manifest, original, broken));
            var result = await validator.ValidateAsync([.. DeployFolder.YamlFiles(DeployFolder.Kubernetes).Where(f => f != auth), copy]);

            Assert.True(result.ExitCode == 1, $"A broken reference passed:{Environment.NewLine}{result.Output}");
            Assert.Contains(expectedError, result.Output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<ChildProcess.Result> ValidateTextAsync(string manifest)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("loire-manifest-").FullName, "broken.yaml");
        try
        {
            await File.WriteAllTextAsync(file, manifest);
            return await validator.ValidateAsync([file]);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    private static string ReplaceFirst(string text, string original, string replacement)
    {
        var index = text.IndexOf(original, StringComparison.Ordinal);
        return text[..index] + replacement + text[(index + original.Length)..];
    }
}

using k8s;
using k8s.Models;

namespace Nexus.Server.Tests.Deploy;

/// <summary>Every built-in resource of deploy/k8s/ read into the Kubernetes client's typed models (generated from the
/// API's OpenAPI schema) in strict mode: a misspelled or misplaced field, or a value of the wrong type, fails. The
/// ServiceMonitor is a custom resource the client has no model for; <see cref="KubernetesManifestTests"/> checks it.</summary>
public sealed class KubernetesSchemaTests
{
    private static readonly string[] CustomKinds = ["ServiceMonitor"];

    [Fact]
    public void EveryBuiltInResource_MatchesItsTypedModel()
    {
        var folder = DeployFiles.PathOf("k8s");
        var files = DeployFiles.YamlObject(Path.Combine(folder, "kustomization.yaml"))["resources"].Items().Select(r => Path.Combine(folder, r.Text()!)).ToList();
        var checkedKinds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var document in Documents(File.ReadAllText(file)))
            {
                var kind = System.Text.RegularExpressions.Regex.Match(document, @"^kind:\s*(\S+)", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value;
                if (CustomKinds.Contains(kind)) continue;
                object resource;
                try
                {
                    resource = Assert.Single(KubernetesYaml.LoadAllFromString(document, strict: true));
                }
                catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or KeyNotFoundException)
                {
                    Assert.Fail($"{DeployFiles.Relative(file)}: the {kind} does not match the Kubernetes schema: {ex.InnerException?.Message ?? ex.Message}");
                    throw;
                }
                Assert.Equal(kind, ((IKubernetesObject)resource).Kind);
                checkedKinds.Add(kind);
            }
        }
        Assert.Superset(new HashSet<string> { "Deployment", "Service", "Job", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget" }, checkedKinds);
    }

    [Fact]
    public void TheStrictReading_RefusesAMisspelledField()
    {
        const string Misspelled = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              replica: 2
            """;
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => KubernetesYaml.LoadAllFromString(Misspelled, strict: true));
        var good = Assert.IsType<V1Deployment>(Assert.Single(KubernetesYaml.LoadAllFromString(Misspelled.Replace("replica:", "replicas:", StringComparison.Ordinal), strict: true)));
        Assert.Equal(2, good.Spec.Replicas);
    }

    private static IEnumerable<string> Documents(string text) =>
        text.Split("\n---", StringSplitOptions.RemoveEmptyEntries).Select(d => d.Trim('\n', '-')).Where(d => d.Contains("kind:", StringComparison.Ordinal));
}

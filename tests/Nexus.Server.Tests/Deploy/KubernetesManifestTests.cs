using System.Net;
using System.Text.Json.Nodes;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Deploy;

/// <summary>deploy/k8s/ checked without a cluster: every resource the kustomization lists parses and is well formed, and
/// every cross-reference holds — selectors match pod labels, ports are named where they are used, probe paths answer on
/// a real server, ConfigMap and Secret keys exist, environment variables are settings the server reads, the HPA's
/// metric is the one the Prometheus adapter serves.</summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = DeployFiles.PathOf("k8s");

    private static JsonObject Kustomization => DeployFiles.YamlObject(Path.Combine(Folder, "kustomization.yaml"));

    /// <summary>Every resource of the kustomization, with the file it is in.</summary>
    private static List<(string File, JsonObject Resource)> Resources()
    {
        var all = new List<(string, JsonObject)>();
        foreach (var file in Kustomization["resources"].Items().Select(r => r.Text()!))
        {
            var path = Path.Combine(Folder, file);
            Assert.True(File.Exists(path), $"kustomization.yaml lists {file}, which does not exist.");
            foreach (var document in DeployFiles.Yaml(path).OfType<JsonObject>()) all.Add((file, document));
        }
        return all;
    }

    private static IEnumerable<JsonObject> OfKind(string kind) => Resources().Select(r => r.Resource).Where(r => r["kind"].Text() == kind);

    private static JsonObject Named(string kind, string name) =>
        OfKind(kind).SingleOrDefault(r => r["metadata"]!["name"].Text() == name) ?? throw new Xunit.Sdk.XunitException($"No {kind} named {name}.");

    private static bool Selects(JsonNode? selector, IReadOnlyDictionary<string, string?> labels)
    {
        var wanted = selector.StringMap();
        return wanted.Count > 0 && wanted.All(w => labels.TryGetValue(w.Key, out var v) && v == w.Value);
    }

    /// <summary>Pod templates of the Deployments and the Job, by owner name.</summary>
    private static List<(string Owner, JsonNode Template)> PodTemplates() =>
        [.. OfKind("Deployment").Concat(OfKind("Job")).Select(r => (r["metadata"]!["name"].Text()!, r["spec"]!["template"]!))];

    private static Dictionary<string, string?> Labels(JsonNode template) => template["metadata"]!["labels"].StringMap();

    private static IEnumerable<JsonNode> Containers(JsonNode template) => template["spec"]!["containers"].Items();

    private static HashSet<string> PortNames(JsonNode template) =>
        [.. Containers(template).SelectMany(c => c["ports"].Items()).Select(p => p["name"].Text()!)];

    [Fact]
    public void EveryResource_HasAnApiVersionAKindAndAName_AndTheExpectedKindsAreThere()
    {
        var resources = Resources();
        foreach (var (file, r) in resources)
        {
            Assert.False(string.IsNullOrEmpty(r["apiVersion"].Text()), $"{file}: a resource without apiVersion.");
            Assert.False(string.IsNullOrEmpty(r["metadata"]?["name"].Text()), $"{file}: a {r["kind"].Text()} without a name.");
        }
        var kinds = resources.Select(r => r.Resource["kind"].Text()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "Deployment", "Service", "ConfigMap", "Secret", "Job", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy", "ServiceMonitor" }, kinds);
        Assert.Equal(2, OfKind("Deployment").Count());
    }

    [Fact]
    public void Deployments_SelectTheirOwnPods_AndRunTheRoleTheirNameSays()
    {
        foreach (var deployment in OfKind("Deployment"))
        {
            var name = deployment["metadata"]!["name"].Text()!;
            var template = deployment["spec"]!["template"]!;
            Assert.True(Selects(deployment["spec"]!["selector"]!["matchLabels"], Labels(template)), $"{name}: its selector does not match its pod labels.");
            var container = Assert.Single(Containers(template));
            var role = container["env"].Items().Single(e => e["name"].Text() == "NEXUS_ROLE")["value"].Text();
            Assert.Equal(name.Replace("nexus-", "", StringComparison.Ordinal), role);
            Assert.True(template["spec"]!["securityContext"]?["runAsNonRoot"].Text() == "true", $"{name} may run as root.");
        }
        // Two Deployments' selectors must not overlap, or each would adopt the other's pods.
        var templates = OfKind("Deployment").ToList();
        Assert.False(Selects(templates[0]["spec"]!["selector"]!["matchLabels"], Labels(templates[1]["spec"]!["template"]!)));
    }

    [Fact]
    public async Task Probes_UseNamedPorts_AndPathsThatAnswerOnARealServer()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (owner, template) in PodTemplates())
        {
            foreach (var container in Containers(template))
            {
                foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
                {
                    if (container[probe] is not { } p)
                    {
                        Assert.True(owner.EndsWith("migrate", StringComparison.Ordinal), $"{owner} has no {probe}.");
                        continue;
                    }
                    var get = p["httpGet"]!;
                    Assert.Contains(get["port"].Text()!, PortNames(template));
                    paths.Add(get["path"].Text()!);
                }
            }
        }
        Assert.Contains("/readyz", paths);
        foreach (var role in new[] { "server", "worker" })
        {
            await using var host = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Nexus:Role"] = role });
            using var anonymous = host.Client();
            foreach (var path in paths) Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public void Environment_ComesFromConfigMapAndSecretKeysThatExist_AndNamesSettingsTheServerReads()
    {
        var configMaps = OfKind("ConfigMap").ToDictionary(c => c["metadata"]!["name"].Text()!, c => c["data"].StringMap());
        var secrets = OfKind("Secret").ToDictionary(s => s["metadata"]!["name"].Text()!, s => s["stringData"].StringMap().Keys.Concat(s["data"].StringMap().Keys).ToHashSet());
        foreach (var (name, data) in configMaps)
        {
            foreach (var key in data.Keys) Assert.True(KnownSettings.IsRead(key), $"ConfigMap {name} sets {key}, which the server does not read.");
        }
        foreach (var (owner, template) in PodTemplates())
        {
            foreach (var container in Containers(template))
            {
                foreach (var from in container["envFrom"].Items())
                {
                    Assert.True(configMaps.ContainsKey(from["configMapRef"]!["name"].Text()!), $"{owner}: envFrom names a ConfigMap that is not in the kustomization.");
                }
                foreach (var env in container["env"].Items())
                {
                    var variable = env["name"].Text()!;
                    Assert.True(KnownSettings.IsRead(variable), $"{owner} sets {variable}, which the server does not read.");
                    if (env["valueFrom"]?["secretKeyRef"] is { } secret)
                    {
                        Assert.True(secrets.TryGetValue(secret["name"].Text()!, out var keys) && keys.Contains(secret["key"].Text()!), $"{owner}: {variable} reads a Secret key that does not exist.");
                    }
                    if (env["valueFrom"]?["configMapKeyRef"] is { } map)
                    {
                        Assert.True(configMaps.TryGetValue(map["name"].Text()!, out var data) && data.ContainsKey(map["key"].Text()!), $"{owner}: {variable} reads a ConfigMap key that does not exist.");
                    }
                }
                // $(VAR) in args must be a variable the container defines.
                var defined = container["env"].Items().Select(e => e["name"].Text()!).ToHashSet(StringComparer.Ordinal);
                foreach (var arg in container["args"].Items().Select(a => a.Text()!).Where(a => a.StartsWith("$(", StringComparison.Ordinal)))
                {
                    Assert.Contains(arg[2..^1], defined);
                }
            }
        }
    }

    [Fact]
    public void ServicesPdbsNetworkPoliciesAndTheServiceMonitor_SelectPodsThatExist_OnPortsTheyName()
    {
        var templates = PodTemplates().Where(t => OfKind("Deployment").Any(d => d["metadata"]!["name"].Text() == t.Owner)).ToList();
        List<JsonNode> Selected(JsonNode? selector, string who)
        {
            var pods = templates.Where(t => Selects(selector, Labels(t.Template))).Select(t => t.Template).ToList();
            Assert.True(pods.Count > 0, $"{who} selects no pods.");
            return pods;
        }
        foreach (var service in OfKind("Service"))
        {
            var name = service["metadata"]!["name"].Text()!;
            var pods = Selected(service["spec"]!["selector"], "Service " + name);
            foreach (var port in service["spec"]!["ports"].Items())
            {
                Assert.All(pods, p => Assert.Contains(port["targetPort"].Text()!, PortNames(p)));
            }
        }
        foreach (var pdb in OfKind("PodDisruptionBudget")) Selected(pdb["spec"]!["selector"]!["matchLabels"], "PodDisruptionBudget " + pdb["metadata"]!["name"].Text());
        foreach (var policy in OfKind("NetworkPolicy"))
        {
            var pods = Selected(policy["spec"]!["podSelector"]!["matchLabels"], "NetworkPolicy " + policy["metadata"]!["name"].Text());
            foreach (var port in policy["spec"]!["ingress"].Items().SelectMany(i => i["ports"].Items()).Select(p => p["port"].Text()!).Where(p => !int.TryParse(p, out _)))
            {
                Assert.All(pods, p => Assert.Contains(port, PortNames(p)));
            }
        }

        var monitor = OfKind("ServiceMonitor").Single();
        var scraped = OfKind("Service").Where(s => Selects(monitor["spec"]!["selector"]!["matchLabels"], s["metadata"]!["labels"].StringMap())).ToList();
        // Every Deployment's pods are behind a scraped Service: servers and workers both report metrics.
        Assert.All(templates, t => Assert.Contains(scraped, s => Selects(s["spec"]!["selector"], Labels(t.Template))));
        foreach (var endpoint in monitor["spec"]!["endpoints"].Items())
        {
            Assert.Equal("/metrics", endpoint["path"].Text());
            Assert.All(scraped, s => Assert.Contains(s["spec"]!["ports"].Items(), p => p["name"].Text() == endpoint["port"].Text()));
            var key = endpoint["authorization"]!["credentials"]!;
            Assert.Contains(key["key"].Text()!, Named("Secret", key["name"].Text()!)["stringData"].StringMap().Keys);
        }
    }

    [Fact]
    public void TheWorkerAutoscaler_TargetsTheWorkerDeployment_OnTheMetricTheAdapterServes()
    {
        var hpa = OfKind("HorizontalPodAutoscaler").Single();
        var target = hpa["spec"]!["scaleTargetRef"]!;
        Assert.Equal("Deployment", target["kind"].Text());
        Assert.Equal("worker", Named("Deployment", target["name"].Text()!)["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/component"].Text());
        var adapter = DeployFiles.YamlObject(Path.Combine(Folder, "prometheus-adapter", "values.yaml"));
        var served = adapter["rules"]!["external"].Items().Select(r => r["name"]!["as"].Text()).ToHashSet();
        foreach (var metric in hpa["spec"]!["metrics"].Items()) Assert.Contains(metric["external"]!["metric"]!["name"].Text(), served);
    }

    [Fact]
    public void TheMigrationJob_RunsNexusMigrate_WithTheImageOfTheNodes()
    {
        var job = OfKind("Job").Single();
        var container = Containers(job["spec"]!["template"]!).Single();
        Assert.Contains("migrate", container["args"].Items().Select(a => a.Text()));
        Assert.Contains(container["command"].Items(), c => c.Text()!.EndsWith("Nexus.Cli.dll", StringComparison.Ordinal));
        var images = PodTemplates().SelectMany(t => Containers(t.Template)).Select(c => c["image"].Text()).ToHashSet();
        var image = Assert.Single(images);
        Assert.Contains(Kustomization["images"].Items(), i => i["name"].Text() == image);
        Assert.Equal("false", Named("ConfigMap", "nexus-config")["data"]!["NEXUS_MIGRATEONSTART"].Text());
    }
}

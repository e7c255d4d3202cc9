using System.Net;
using System.Text.Json.Nodes;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Deploy;

/// <summary>deploy/compose/ checked without a Docker engine: the services the stack promises, every cross-reference
/// between its files (services, volumes, secrets, mounted files, ports, data source uids), the settings the Nexus
/// services set, and the demo pipeline accepted by a real server.</summary>
public sealed class ComposeFileTests
{
    private static readonly string Folder = DeployFiles.PathOf("compose");
    private static JsonObject Compose => DeployFiles.YamlObject(Path.Combine(Folder, "compose.yaml"));
    private static JsonObject Services => Assert.IsType<JsonObject>(Compose["services"]);

    /// <summary>The variables the nexus CLI reads (the demo service runs it).</summary>
    private static readonly string[] CliVariables = ["NEXUS_SERVER", "NEXUS_API_KEY"];

    private static IEnumerable<(string Name, JsonNode Service)> NexusServices() =>
        Services.Where(s => s.Value!["environment"]?["NEXUS_ROLE"] is not null).Select(s => (s.Key, s.Value!));

    [Fact]
    public void TheStack_HasPostgresTwoServersAWorkerAndTheObservabilitySet()
    {
        var roles = NexusServices().Select(s => s.Service["environment"]!["NEXUS_ROLE"].Text()).ToList();
        Assert.Equal(2, roles.Count(r => r == "server"));
        Assert.Equal(1, roles.Count(r => r == "worker"));
        foreach (var (name, image) in new[] { ("postgres", "postgres:"), ("prometheus", "prom/prometheus:"), ("grafana", "grafana/grafana:"), ("tempo", "grafana/tempo:"), ("loki", "grafana/loki:"), ("promtail", "grafana/promtail:"), ("minio", "minio/minio:") })
        {
            Assert.True(Services[name] is not null, $"compose.yaml has no {name} service.");
            Assert.StartsWith(image, Services[name]!["image"].Text(), StringComparison.Ordinal);
        }
        Assert.Contains(Services, s => s.Value!["profiles"].Items().Any(p => p.Text() == "demo"));
        foreach (var (name, service) in NexusServices())
        {
            Assert.Equal("postgres", service["environment"]!["NEXUS_STORE"].Text());
            Assert.Equal("deploy/Dockerfile", service["build"]?["dockerfile"].Text());
            Assert.Equal("true", service["environment"]!["NEXUS_LOGGING__JSON"].Text());
            Assert.True(service["environment"]!["NEXUS_NODEID"].Text() == name, $"{name}: NEXUS_NODEID should be the service name, so metrics and leases name the node.");
        }
    }

    [Fact]
    public void EveryReference_NamesSomethingTheStackDeclares()
    {
        var compose = Compose;
        var volumes = compose["volumes"].Props().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var secrets = compose["secrets"].Props().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, service) in Services)
        {
            var dependsOn = service!["depends_on"] is JsonObject map ? map.Select(p => p.Key) : service["depends_on"].Items().Select(d => d.Text()!);
            foreach (var dependency in dependsOn) Assert.True(Services[dependency] is not null, $"{name} depends on {dependency}, which is no service.");
            foreach (var secret in service["secrets"].Items()) Assert.Contains(secret.Text()!, secrets);
            Assert.True(service["image"] is not null, $"{name} names no image.");
            foreach (var mount in service["volumes"].Items().Select(v => v.Text()!))
            {
                var source = mount.Split(':')[0];
                if (source.StartsWith('.'))
                {
                    var path = Path.GetFullPath(Path.Combine(Folder, source));
                    Assert.True(File.Exists(path) || Directory.Exists(path), $"{name} mounts {source}, which does not exist.");
                }
                else if (!source.StartsWith('/'))
                {
                    Assert.True(volumes.Contains(source), $"{name} mounts the volume {source}, which is not declared.");
                }
            }
        }
    }

    [Fact]
    public void TheNexusServices_SetOnlySettingsTheServerReads_AndReachServicesOfTheStack()
    {
        foreach (var (name, service) in Services)
        {
            var cli = service!["entrypoint"].Items().Any(e => e.Text()!.Contains("Nexus.Cli.dll", StringComparison.Ordinal));
            foreach (var (variable, value) in service["environment"].StringMap().Where(e => e.Key.StartsWith("NEXUS_", StringComparison.Ordinal)))
            {
                Assert.True(KnownSettings.IsRead(variable) || (cli && CliVariables.Contains(variable)), $"{name} sets {variable}, which neither the server nor the CLI reads.");
                if (variable == "NEXUS_POSTGRES") Assert.Contains("Host=postgres;", value, StringComparison.Ordinal);
                if (variable is "NEXUS_OTEL__ENDPOINT" or "NEXUS_SERVER") AssertServiceUrl(name, value!);
            }
        }
        var tempo = DeployFiles.YamlObject(Path.Combine(Folder, "tempo", "tempo.yaml"));
        var grpc = tempo["distributor"]!["receivers"]!["otlp"]!["protocols"]!["grpc"]!["endpoint"].Text()!;
        Assert.All(NexusServices(), s => Assert.EndsWith(":" + grpc.Split(':')[1], s.Service["environment"]!["NEXUS_OTEL__ENDPOINT"].Text(), StringComparison.Ordinal));
    }

    [Fact]
    public void Prometheus_ScrapesEveryNexusNode_WithTheMountedKey()
    {
        var config = DeployFiles.YamlObject(Path.Combine(Folder, "prometheus", "prometheus.yml"));
        var job = config["scrape_configs"].Items().Single(j => j["job_name"].Text() == "nexus");
        Assert.Equal("/metrics", job["metrics_path"].Text());
        var targets = job["static_configs"].Items().SelectMany(c => c["targets"].Items()).Select(t => t.Text()!).ToHashSet(StringComparer.Ordinal);
        var nodes = NexusServices().Select(s => $"{s.Name}:{new Uri(s.Service["environment"]!["NEXUS_URLS"].Text()!.Replace("0.0.0.0", "x", StringComparison.Ordinal)).Port}").ToHashSet(StringComparer.Ordinal);
        Assert.Equal(nodes.Order(StringComparer.Ordinal), targets.Order(StringComparer.Ordinal));
        var keyFile = job["authorization"]!["credentials_file"].Text()!;
        Assert.StartsWith("/run/secrets/", keyFile, StringComparison.Ordinal);
        Assert.Contains(Services["prometheus"]!["secrets"].Items(), s => s.Text() == Path.GetFileName(keyFile));
        var rulesMount = Services["prometheus"]!["volumes"].Items().Select(v => v.Text()!).Single(v => v.StartsWith("./prometheus/rules:", StringComparison.Ordinal));
        Assert.Contains(config["rule_files"].Items(), r => r.Text()!.StartsWith(rulesMount.Split(':')[1] + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void Grafana_ProvisionsTheDataSourcesTheDashboardsUse()
    {
        var sources = DeployFiles.YamlObject(Path.Combine(Folder, "grafana", "provisioning", "datasources", "datasources.yml"))["datasources"].Items().ToList();
        var uids = sources.Select(s => s["uid"].Text()!).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string> { "prometheus", "loki", "tempo" }, uids);
        foreach (var source in sources) AssertServiceUrl("grafana data source " + source["name"].Text(), source["url"].Text()!);
        // A log line's TraceId opens the trace; a trace opens its logs.
        Assert.Contains(sources.Single(s => s["uid"].Text() == "loki")["jsonData"]!["derivedFields"].Items(), f => f["datasourceUid"].Text() == "tempo" && f["matcherRegex"].Text()!.Contains("TraceId", StringComparison.Ordinal));
        Assert.Equal("loki", sources.Single(s => s["uid"].Text() == "tempo")["jsonData"]!["tracesToLogsV2"]!["datasourceUid"].Text());

        var provider = DeployFiles.YamlObject(Path.Combine(Folder, "grafana", "provisioning", "dashboards", "dashboards.yml"))["providers"].Items().Single();
        var mount = Services["grafana"]!["volumes"].Items().Select(v => v.Text()!).Single(v => v.StartsWith("./grafana/dashboards:", StringComparison.Ordinal));
        Assert.Equal(mount.Split(':')[1], provider["options"]!["path"].Text());

        var dashboards = Directory.GetFiles(Path.Combine(Folder, "grafana", "dashboards"), "*.json");
        Assert.NotEmpty(dashboards);
        foreach (var file in dashboards)
        {
            var dashboard = DeployFiles.JsonObjectOf(file);
            Assert.False(string.IsNullOrEmpty(dashboard["uid"].Text()), $"{file} has no uid.");
            var used = Descendants(dashboard).OfType<JsonObject>().Where(o => o["datasource"] is JsonObject).Select(o => o["datasource"]!["uid"].Text()!).ToHashSet(StringComparer.Ordinal);
            Assert.True(used.IsSubsetOf(uids), $"{DeployFiles.Relative(file)} uses data sources {string.Join(", ", used.Except(uids))} that are not provisioned.");
            Assert.Superset(new HashSet<string> { "prometheus", "loki", "tempo" }, used);
        }
    }

    [Fact]
    public void Promtail_PushesTheJsonLogsOfTheNexusServicesToLoki()
    {
        var promtail = DeployFiles.YamlObject(Path.Combine(Folder, "promtail", "promtail.yaml"));
        var loki = DeployFiles.YamlObject(Path.Combine(Folder, "loki", "loki.yaml"));
        var push = new Uri(promtail["clients"].Items().Single()["url"].Text()!);
        Assert.Equal(("loki", int.Parse(loki["server"]!["http_listen_port"].Text()!, System.Globalization.CultureInfo.InvariantCulture)), (push.Host, push.Port));
        var job = promtail["scrape_configs"].Items().Single();
        var filter = job["docker_sd_configs"].Items().Single()["filters"].Items().Single()["values"].Items().Single().Text()!;
        var (label, value) = (filter.Split('=')[0], filter.Split('=')[1]);
        Assert.All(NexusServices(), s => Assert.Equal(value, s.Service["labels"]![label].Text()));
        var json = job["pipeline_stages"].Items().Select(s => s["json"]).Single(s => s is not null)!["expressions"].StringMap();
        // The field names of the server's JSON console lines (see docs/observability.md).
        Assert.Equal("LogLevel", json["level"]);
        Assert.Contains("TraceId", json["trace_id"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDemo_StartsThePipelineWorkflow_ThatARealServerRegistersAtStart()
    {
        var demo = Services.Single(s => s.Value!["profiles"].Items().Any(p => p.Text() == "demo")).Value!;
        var command = demo["command"].Items().Select(c => c.Text()!).ToList();
        Assert.Equal(["workflows", "start"], command.Take(2));
        var workflow = command[2];

        await using var host = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Nexus:RunWorkers"] = "false" });
        using var admin = host.Admin();
        var response = await admin.GetAsync($"/api/v1/workflows/{workflow}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"The demo's workflow '{workflow}' is not registered by a fresh server: {(int)response.StatusCode} {body}");
    }

    private static void AssertServiceUrl(string who, string url)
    {
        var host = new Uri(url).Host;
        Assert.True(Services[host] is not null, $"{who} points at {url}, but the stack has no service {host}.");
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var d in Descendants(child)) yield return d;
        }
    }
}

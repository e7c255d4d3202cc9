using System.Text.Json.Nodes;
using Nexus.Server.Hosting;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Server.Tests.Observability;
using Nexus.Storage;
using Nexus.Testing;

namespace Nexus.Server.Tests.Deploy;

/// <summary>Every metric a Grafana dashboard or a Prometheus rule of deploy/ reads is one a real server exports: the
/// server does real work (a success, a retry, a dead task, a cancel, a lease rescued from a vanished node) and its
/// <c>/metrics</c> is scraped, so a renamed or removed metric fails here instead of silently emptying a panel.</summary>
public sealed class DashboardMetricTests
{
    /// <summary>Series Prometheus makes itself (not the server's).</summary>
    private static readonly string[] PrometheusOwn = ["up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds", "scrape_samples_scraped"];

    private const string FastRetry = """{"initialDelayMs":10,"multiplier":1,"maxDelayMs":10,"jitter":0}""";

    [Fact]
    public void TheDeployFolder_HasDashboardsAndRules_ThatReadMetrics()
    {
        var uses = Uses();
        Assert.Contains(uses, u => u.File.EndsWith(".json", StringComparison.Ordinal));
        Assert.Contains(uses, u => u.File.Contains("rules", StringComparison.Ordinal));
        Assert.True(uses.Select(u => u.Metric).Distinct().Count() >= 12, "The dashboards and rules read fewer metrics than expected: " + string.Join(", ", uses.Select(u => u.Metric).Distinct()));
    }

    [Fact]
    public async Task EveryMetricOfTheDashboardsAndRules_IsExportedByARealServer()
    {
        await using var host = await ServerHost.StartAsync(
            StoreKind.Sqlite,
            new Dictionary<string, string?>
            {
                ["Nexus:QueueCountsInterval"] = "00:00:00.100",
                ["Nexus:RescueInterval"] = "00:00:00.200",
                ["Nexus:HeartbeatInterval"] = "00:00:00.100",
                ["Nexus:Events:LagInterval"] = "00:00:00.100",
                // The server claims only from "obs": the task in "ghost" is leased by a node that then vanishes.
                ["Nexus:Queues:0"] = "obs",
                // Workflow steps (built-in kinds) run in the default queue.
                ["Nexus:Queues:1"] = "default",
            },
            new ServerHooks { Nexus = n => n.AddPlugin<FlakyPlugin>() });
        using var admin = host.Admin();
        string Flaky(int fail, int maxAttempts, string queue = "obs", string extra = "") =>
            $$"""{"plugin":"{{FlakyPlugin.Name}}","args":{"failAttempts":{{fail}}},"queue":"{{queue}}","maxAttempts":{{maxAttempts}},"retry":{{FastRetry}}{{extra}}}""";

        var ok = await admin.SubmitAsync(Flaky(fail: 1, maxAttempts: 3));
        var dead = await admin.SubmitAsync(Flaky(fail: 5, maxAttempts: 1));
        var later = await admin.SubmitAsync(Flaky(fail: 0, maxAttempts: 1, extra: ""","delayMs":3600000"""));
        await admin.SubmitAsync(Flaky(fail: 0, maxAttempts: 3, queue: "ghost"));
        var leased = await host.NexusStore.Tasks.ClaimAsync(new ClaimParams("vanished-node", 1, TimeSpan.FromMilliseconds(1)) { Queues = ["ghost"] });
        Assert.Single(leased);
        await admin.WaitForStateAsync(ok, "succeeded");
        await admin.WaitForStateAsync(dead, "dead");
        (await admin.PostAsync($"/api/v1/tasks/{later}/cancel", null)).EnsureSuccessStatusCode();
        using (var subscription = new StringContent("""{"name":"lagging","pattern":"orders.>","action":"consumer"}""", System.Text.Encoding.UTF8, "application/json"))
        {
            (await admin.PostAsync("/api/v1/namespaces/default/subscriptions", subscription)).EnsureSuccessStatusCode();
        }

        // A workflow run that fails at its second step (runs, steps and run duration), an event the subscription above lags
        // behind, and a schedule that fires every second (slots by outcome).
        using (var workflow = new StringContent("""{"name":"metrics-flow","steps":[{"id":"ok","kind":"noop"},{"id":"boom","kind":"fail","needs":["ok"]}]}""", System.Text.Encoding.UTF8, "application/json"))
        {
            (await admin.PostAsync("/api/v1/workflows", workflow)).EnsureSuccessStatusCode();
        }
        using (var run = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))
        {
            (await admin.PostAsync("/api/v1/workflows/metrics-flow/runs", run)).EnsureSuccessStatusCode();
        }
        using (var emit = new StringContent("""{"topic":"orders.created","payload":{"n":1}}""", System.Text.Encoding.UTF8, "application/json"))
        {
            (await admin.PostAsync("/api/v1/namespaces/default/events", emit)).EnsureSuccessStatusCode();
        }
        using (var schedule = new StringContent("""{"cron":"* * * * * *","target":{"task":{"plugin":""" + "\"" + FlakyPlugin.Name + "\"" + ""","args":{"failAttempts":0},"queue":"obs"}}}""", System.Text.Encoding.UTF8, "application/json"))
        {
            (await admin.PutAsync("/api/v1/schedules/metrics-every-second", schedule)).EnsureSuccessStatusCode();
        }

        // What the work above makes appear last: outcomes are counted once stored, queue depth and rescues in the background.
        string[] last = ["nexus_lease_rescues_total", "nexus_tasks_cancelled_total", "nexus_tasks_dead_total", "nexus_queue_tasks", "nexus_maintenance_rescue_passes_total",
            "nexus_events_subscription_lag", "nexus_events_subscription_lag_age_seconds", "nexus_events_emitted_total",
            "nexus_workflow_runs_started_total", "nexus_workflow_runs_finished_total", "nexus_workflow_steps_finished_total",
            "nexus_workflow_run_duration_seconds_bucket", "nexus_schedule_fires_total"];
        var exported = await Eventually.UntilAsync(
            async () => SampleNames(await admin.GetStringAsync("/metrics")),
            names => last.All(names.Contains),
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100),
            "the rescue, cancel, dead, queue depth, rescue pass, subscription lag, event, workflow and schedule series to appear in /metrics");

        var uses = Uses();
        var missing = uses.Where(u => !exported.Contains(u.Metric) && !PrometheusOwn.Contains(u.Metric)).ToList();
        Assert.True(missing.Count == 0, "Read but not exported: " + string.Join("; ", missing.Select(u => $"{u.Metric} ({u.File})")));
    }

    /// <summary>(file, metric) for every metric name in every PromQL expression of deploy/: dashboard targets and
    /// template queries, alert and recording rules, the Prometheus adapter's series queries.</summary>
    internal static List<(string File, string Metric)> Uses()
    {
        var uses = new List<(string, string)>();
        foreach (var file in DeployFiles.All(".json").Where(f => f.Contains("dashboards", StringComparison.Ordinal)))
        {
            var dashboard = DeployFiles.JsonObjectOf(file);
            foreach (var expr in DashboardExpressions(dashboard)) uses.AddRange(PromQl.MetricNames(expr).Select(m => (DeployFiles.Relative(file), m)));
        }
        foreach (var file in RuleFiles())
        {
            foreach (var rule in DeployFiles.YamlObject(file)["groups"].Items().SelectMany(g => g["rules"].Items()))
            {
                uses.AddRange(PromQl.MetricNames(rule["expr"].Text()!).Select(m => (DeployFiles.Relative(file), m)));
            }
        }
        var adapter = DeployFiles.YamlObject(DeployFiles.PathOf("k8s", "prometheus-adapter", "values.yaml"));
        foreach (var rule in adapter["rules"]?["external"].Items() ?? [])
        {
            uses.AddRange(PromQl.MetricNames(rule["seriesQuery"].Text()!).Select(m => ("deploy/k8s/prometheus-adapter/values.yaml", m)));
        }
        return uses;
    }

    internal static IReadOnlyList<string> RuleFiles() =>
        [.. DeployFiles.All(".yml", ".yaml").Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "rules")];

    /// <summary>The PromQL of every Prometheus target (nested rows included) and of every query variable.</summary>
    internal static IEnumerable<string> DashboardExpressions(JsonObject dashboard)
    {
        static IEnumerable<JsonNode> Panels(JsonNode? panels) =>
            panels.Items().SelectMany(p => new[] { p }.Concat(Panels(p["panels"])));
        foreach (var panel in Panels(dashboard["panels"]))
        {
            foreach (var target in panel["targets"].Items())
            {
                var type = target["datasource"]?["type"].Text() ?? panel["datasource"]?["type"].Text();
                if (type == "prometheus" && target["expr"].Text() is { } expr) yield return expr;
            }
        }
        foreach (var variable in dashboard["templating"]?["list"].Items() ?? [])
        {
            if (variable["type"].Text() != "query") continue;
            var query = variable["query"] is JsonObject q ? q["query"].Text() : variable["query"].Text();
            // label_values(metric, label) reads metric; label_values(label) reads no particular one.
            if (query is not null && System.Text.RegularExpressions.Regex.Match(query, @"label_values\(\s*([^,()]+?)\s*,") is { Success: true } m) yield return m.Groups[1].Value;
        }
    }

    private static HashSet<string> SampleNames(string exposition) =>
        [.. exposition.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('{', ' ')[0])];
}

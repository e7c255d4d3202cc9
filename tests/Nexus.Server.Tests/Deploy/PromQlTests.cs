namespace Nexus.Server.Tests.Deploy;

/// <summary>The small PromQL lexer behind <see cref="DashboardMetricTests"/>: it must find every metric and nothing else.</summary>
public sealed class PromQlTests
{
    [Theory]
    [InlineData("""sum by (queue) (rate(nexus_tasks_dead_total{queue=~"$queue"}[$__rate_interval])) > 0""", "nexus_tasks_dead_total")]
    [InlineData("""histogram_quantile(0.95, sum by (le, queue) (rate(nexus_task_start_latency_seconds_bucket[10m]))) > 60""", "nexus_task_start_latency_seconds_bucket")]
    [InlineData("""sum(nexus_maintenance_leader) >= 1 unless sum(increase(nexus_maintenance_rescue_passes_total[5m])) > 0""", "nexus_maintenance_leader nexus_maintenance_rescue_passes_total")]
    [InlineData("""sum(up{job="nexus"}) == 0 or absent(up{job="nexus"})""", "up")]
    [InlineData("""a / on (queue) group_left (plugin) b_total offset 5m * 1e3""", "a b_total")]
    [InlineData("""max by (instance, service_version) (target_info{job="nexus", x="sum(y)"})""", "target_info")]
    public void MetricNames_FindsTheMetricsOnly(string expression, string expected)
    {
        Assert.Equal(expected.Split(' ').Order(StringComparer.Ordinal), PromQl.MetricNames(expression).Order(StringComparer.Ordinal));
    }
}

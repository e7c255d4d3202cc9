namespace Nexus.Server.Tests.Deploy;

/// <summary>The Prometheus files of deploy/ as Prometheus itself reads them: <c>promtool check rules</c>, <c>check
/// config</c>, and the alert rules' unit tests (<c>promtool test rules</c>: each alert fires on the series it is for, and
/// not before its <c>for</c>).</summary>
public sealed class PrometheusRuleTests
{
    [Fact]
    public async Task EveryRuleFile_PassesPromtoolCheckRules()
    {
        var files = DashboardMetricTests.RuleFiles();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var (exit, output) = await Promtool.RunAsync("check", "rules", file);
            Assert.True(exit == 0, $"promtool check rules {DeployFiles.Relative(file)}:\n{output}");
        }
    }

    [Fact]
    public async Task ThePrometheusConfig_PassesPromtoolCheckConfig()
    {
        var (exit, output) = await Promtool.RunAsync("check", "config", "--syntax-only", DeployFiles.PathOf("compose", "prometheus", "prometheus.yml"));
        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task TheAlertRules_PassTheirUnitTests()
    {
        var tests = Directory.GetFiles(DeployFiles.PathOf("compose", "prometheus", "tests"), "*.test.yml");
        Assert.NotEmpty(tests);
        foreach (var file in tests)
        {
            var (exit, output) = await Promtool.RunAsync("test", "rules", file);
            Assert.True(exit == 0, $"promtool test rules {DeployFiles.Relative(file)}:\n{output}");
        }
    }

    [Fact]
    public void EveryAlert_HasASeverityASummaryAndADescription()
    {
        foreach (var file in DashboardMetricTests.RuleFiles())
        {
            foreach (var rule in DeployFiles.YamlObject(file)["groups"].Items().SelectMany(g => g["rules"].Items()).Where(r => r["alert"] is not null))
            {
                var name = rule["alert"].Text();
                Assert.True(rule["labels"]?["severity"].Text() is "critical" or "warning" or "info", $"{name}: severity must be critical, warning or info.");
                Assert.False(string.IsNullOrWhiteSpace(rule["annotations"]?["summary"].Text()), $"{name} has no summary.");
                Assert.False(string.IsNullOrWhiteSpace(rule["annotations"]?["description"].Text()), $"{name} has no description.");
            }
        }
    }
}

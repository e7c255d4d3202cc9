using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Deploy;

/// <summary>.github/workflows/ci.yml: it runs the repository's own CI entry (.ci/run), builds the image from
/// deploy/Dockerfile, pushes it only outside pull requests, and deploys the kustomization after the image.</summary>
public sealed class CiWorkflowTests
{
    [Fact]
    public void TheWorkflow_Tests_BuildsTheImage_ThenDeploys()
    {
        var root = RepositoryRoot.Path();
        var workflow = DeployFiles.YamlObject(Path.Combine(root, ".github", "workflows", "ci.yml"));
        var jobs = workflow["jobs"].Props().ToDictionary(j => j.Key, j => j.Value!);
        foreach (var (name, job) in jobs)
        {
            foreach (var need in job["needs"] is { } n ? (n.Items().Any() ? n.Items().Select(x => x.Text()!) : [n.Text()!]) : [])
            {
                Assert.True(jobs.ContainsKey(need), $"Job {name} needs {need}, which is no job.");
            }
        }
        Assert.Contains(jobs["test"]["steps"].Items(), s => s["run"].Text()?.Contains(".ci/run", StringComparison.Ordinal) == true);
        Assert.True(File.Exists(Path.Combine(root, ".ci", "run")));
        var build = jobs["image"]["steps"].Items().Single(s => s["uses"].Text()?.StartsWith("docker/build-push-action", StringComparison.Ordinal) == true);
        var dockerfile = build["with"]!["file"].Text()!;
        Assert.True(File.Exists(Path.Combine(root, dockerfile)), $"The image job builds {dockerfile}, which does not exist.");
        Assert.Contains("pull_request", build["with"]!["push"].Text(), StringComparison.Ordinal);
        Assert.Equal("image", jobs["deploy"]["needs"].Text());
        var rollout = string.Join('\n', jobs["deploy"]["steps"].Items().Select(s => s["run"].Text() ?? ""));
        var folder = jobs["deploy"]["steps"].Items().Select(s => s["working-directory"].Text()).Single(w => w is not null)!;
        Assert.True(File.Exists(Path.Combine(root, folder, "kustomization.yaml")));
        Assert.Contains("kubectl apply -k", rollout, StringComparison.Ordinal);
        Assert.Contains("job/nexus-migrate", rollout, StringComparison.Ordinal);
    }
}

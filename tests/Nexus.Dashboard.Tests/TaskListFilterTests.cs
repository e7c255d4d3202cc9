using Nexus.Dashboard.Access;
using Nexus.Dashboard.Data;
using Nexus.Dashboard.Pages;
using Nexus.Tasks;

namespace Nexus.Dashboard.Tests;

/// <summary>The task list's query-string filters and the login page's return address, without a browser.</summary>
public sealed class TaskListFilterTests
{
    private sealed class User(IReadOnlySet<string>? queues) : IDashboardUser
    {
        public string Name => "test";
        public IReadOnlyList<string> Roles => ["viewer"];
        public bool IsDevelopmentAccess => false;
        public IReadOnlySet<string>? Queues => queues;
        public bool Has(DashboardRight right) => right == DashboardRight.Read;
        public IReadOnlySet<string>? Namespaces => queues is null ? null : new HashSet<string>();
        public bool CanUseNamespace(string ns) => queues is null;
        public bool CanUse(string queue) => queues is null || queues.Contains(queue);
        public bool CanUseAll(IReadOnlyCollection<string> qs) => queues is null || (qs.Count > 0 && qs.All(queues.Contains));
    }

    [Fact]
    public void AGoodFilter_BecomesTheStoreQuery()
    {
        var (query, errors) = new TaskListFilter
        {
            State = "dead", Plugin = "p", Queue = "q", Tag = "t", From = "2030-01-02T03:04", Before = "99", Limit = "20",
            ArgsPath = "size.w", ArgsValue = "512",
        }.ToQuery(new User(null));

        Assert.Empty(errors);
        Assert.Equal(TaskState.Dead, query!.State);
        Assert.Equal("q", query.Queue);
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 0, TimeSpan.Zero), query.CreatedFrom);
        Assert.Equal(99, query.BeforeId);
        Assert.Equal(20, query.Limit);
        Assert.Equal("size.w", query.Args!.Path);
        Assert.Equal(512, query.Args.Number);
    }

    [Fact]
    public void BadValues_AreNamedOneByOne()
    {
        var (query, errors) = new TaskListFilter { State = "x", Queue = "a b", From = "soon", Before = "-1", Limit = "0", ArgsValue = "1" }.ToQuery(new User(null));

        Assert.Null(query);
        Assert.Equal(["state", "queue", "from", "before", "limit", "args.path"], errors.Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Fact]
    public void ALimitedCaller_GetsItsFirstQueue_AndIsRefusedAnother()
    {
        var caller = new User(new HashSet<string> { "b", "a" });
        Assert.Equal("a", new TaskListFilter().ToQuery(caller).Query!.Queue);
        Assert.Equal("b", new TaskListFilter { Queue = "b" }.ToQuery(caller).Query!.Queue);
        var (query, errors) = new TaskListFilter { Queue = "c" }.ToQuery(caller);
        Assert.Null(query);
        Assert.Contains("not one of the queues you are limited to", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void With_KeepsTheFilterAndEncodesValues()
    {
        var filter = new TaskListFilter { Tag = "a&b", Before = "7" };
        Assert.Equal("/tasks?tag=a%26b&bulk=retry", filter.With("/tasks", new Dictionary<string, string?> { ["before"] = null, ["bulk"] = "retry" }));
    }

    [Theory]
    [InlineData("/tasks?state=dead", "/tasks?state=dead")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("/login?returnUrl=/x", "/")]
    [InlineData(null, "/")]
    public void Login_ReturnsOnlyToAPathOnThisServer(string? asked, string expected) => Assert.Equal(expected, Login.LocalPath(asked));
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nexus.Hosting;
using Nexus.Plugins;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Core.Tests.Engine;

/// <summary>Submits with instants and durations beyond <see cref="TaskBounds"/> fail naming the field and store nothing.</summary>
public sealed class SubmitBoundsTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nexus-core-tests", Guid.NewGuid().ToString("N"));
    private IHost? _host;

    private INexusTasks Tasks => _host!.Services.GetRequiredService<INexusTasks>();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddNexus(n => n
            .UseSqlite($"Data Source={Path.Combine(_dir, "nexus.db")}")
            .AddPlugin<NoopPlugin>()
            .Configure(o => o.PollInterval = TimeSpan.FromMilliseconds(50)));
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, SubmitOptions> OutOfBounds => new()
    {
        { "delay", new SubmitOptions { Delay = TimeSpan.FromDays(9000 * 365.0) } },
        { "delay", new SubmitOptions { Delay = TaskBounds.MaxDelay + TimeSpan.FromDays(1) } },
        { "runAt", new SubmitOptions { RunAt = new DateTimeOffset(9000, 1, 1, 0, 0, 0, TimeSpan.Zero) } },
        { "runAt", new SubmitOptions { RunAt = DateTimeOffset.MaxValue } },
        { "runAt", new SubmitOptions { RunAt = new DateTimeOffset(1969, 12, 31, 0, 0, 0, TimeSpan.Zero) } },
        { "timeout", new SubmitOptions { Timeout = TimeSpan.FromMilliseconds(4_294_967_296) } },
        { "timeout", new SubmitOptions { Timeout = TaskBounds.MaxTimeout + TimeSpan.FromMilliseconds(1) } },
        { "retry.initialDelay", new SubmitOptions { Retry = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(3e14), MaxDelay = TimeSpan.FromMilliseconds(3e14) } } },
        { "retry.maxDelay", new SubmitOptions { Retry = new RetryPolicy { MaxDelay = TimeSpan.FromMilliseconds(3e14) } } },
    };

    [Theory]
    [MemberData(nameof(OutOfBounds))]
    public async Task Submit_BeyondTheBounds_FailsNamingTheField_AndStoresNothing(string field, SubmitOptions options)
    {
        var ex = await Assert.ThrowsAsync<TaskValidationException>(() => Tasks.SubmitJsonAsync("test.noop", "{}", options));

        Assert.Equal(field, ex.Field);
        Assert.Empty((await Tasks.ListAsync(new TaskQuery())).Items);
    }

    [Fact]
    public async Task Submit_AtTheBounds_IsStoredAndReadsBack()
    {
        var id = (await Tasks.SubmitJsonAsync("test.noop", "{}", new SubmitOptions
        {
            Delay = TaskBounds.MaxDelay - TimeSpan.FromDays(1),
            Timeout = TaskBounds.MaxTimeout,
            Retry = new RetryPolicy { InitialDelay = TaskBounds.MaxRetryDelay, MaxDelay = TaskBounds.MaxRetryDelay },
        })).Id;

        var task = Assert.Single((await Tasks.ListAsync(new TaskQuery { State = TaskState.Scheduled })).Items);
        Assert.Equal(id, task.Id);
        Assert.Equal(TaskBounds.MaxTimeout, task.Timeout);
        Assert.Equal(TaskBounds.MaxRetryDelay, task.Retry!.MaxDelay);
        Assert.Equal(CancelOutcome.Cancelled, await Tasks.CancelAsync(id));
        Assert.Equal(DeleteOutcome.Deleted, await Tasks.DeleteAsync(id));
    }

    public sealed record NoopArgs;

    [TaskPlugin("test.noop")]
    public sealed class NoopPlugin : ITaskPlugin<NoopArgs, bool>
    {
        public ValueTask<bool> ExecuteAsync(NoopArgs args, TaskContext context) => ValueTask.FromResult(true);
    }
}

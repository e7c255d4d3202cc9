using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Storage;
using Nexus.Storage.Sqlite;
using Nexus.Tasks;

namespace Nexus.Core.Tests.Observability;

/// <summary>The measurements the engine's metrics make, seen by a real <see cref="MeterListener"/> on this instance's meter.</summary>
public sealed class NexusMetricsTests : IDisposable
{
    private readonly SqliteStore _store;
    private readonly NexusMetrics _metrics;
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, long Value, Dictionary<string, string?> Tags)> _seen = [];

    public NexusMetricsTests()
    {
        var folder = Path.Combine(Path.GetTempPath(), "nexus-metrics-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        _store = new SqliteStore(new SqliteStoreOptions { ConnectionString = $"Data Source={Path.Combine(folder, "nexus.db")}" });
        _metrics = new NexusMetrics(_store, Options.Create(new NexusOptions()), TimeProvider.System);
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, _metrics.Meter)) l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in tags) map[tag.Key] = tag.Value?.ToString();
            lock (_seen) _seen.Add((instrument.Name, value, map));
        });
        _listener.Start();
    }

    private static NewTask Row(string plugin, string queue) => new() { Plugin = plugin, ArgsJson = "{}", Queue = queue, MaxAttempts = 1 };

    [Fact]
    public void Submitted_CountsCreatedRowsOnly_OneMeasurementPerRunOfTheSamePluginAndQueue()
    {
        NewTask[] rows = [Row("a", "q"), Row("a", "q"), Row("a", "q"), Row("b", "q"), Row("a", "q")];
        SubmitResult[] results = [new(1, true), new(2, false), new(3, true), new(4, true), new(5, true)];

        _metrics.Submitted(rows, results);

        Assert.Equal(
            [("a", 2L), ("b", 1L), ("a", 1L)],
            _seen.Where(s => s.Instrument == "nexus.tasks.submitted").Select(s => (s.Tags["plugin"]!, s.Value)));
        Assert.All(_seen, s => Assert.Equal("q", s.Tags["queue"]));
    }

    [Fact]
    public void Rescued_CountsRequeuedAndDeadSeparately()
    {
        _metrics.Rescued(new RescueResult(Requeued: 3, Dead: 1));
        _metrics.Rescued(new RescueResult(Requeued: 0, Dead: 0));

        Assert.Equal(
            [("requeued", 3L), ("dead", 1L)],
            _seen.Where(s => s.Instrument == "nexus.lease.rescues").Select(s => (s.Tags["outcome"]!, s.Value)));
    }

    [Fact]
    public void Started_OfALaterAttempt_CountsARetry_AndTheFirstAttemptDoesNot()
    {
        var first = new TaskRecord { Id = 1, Plugin = "p", Queue = "q", State = TaskState.Running, ArgsJson = "{}", Attempt = 1 };

        _metrics.Started(first);
        _metrics.Started(first with { Attempt = 2 });

        var retry = Assert.Single(_seen, s => s.Instrument == "nexus.tasks.retried");
        Assert.Equal(1, retry.Value);
        Assert.Equal("p", retry.Tags["plugin"]);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _metrics.Dispose();
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

using System.CommandLine;
using Nexus.Cli.Output;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus watch</c>: a live table of queues — counts by state, and finished and submitted tasks per second
/// computed from the difference between successive reads.</summary>
internal static class WatchCommand
{
    private static readonly string[] Finished = [TaskStates.Succeeded, TaskStates.Dead, TaskStates.Cancelled];

    public static Command Create()
    {
        var interval = new Option<double>("--interval", "-i") { Description = "Seconds between refreshes", DefaultValueFactory = _ => 1.0 };
        var count = new Option<int?>("--count", "-c") { Description = "Stop after this many refreshes (default: until Ctrl+C)" };
        var command = new Command("watch", "Watch queues live: counts by state and throughput per second") { interval, count };
        command.Handle(async (parse, cli, ct) =>
        {
            var seconds = parse.GetValue(interval);
            if (seconds is < 0.1 or > 3600) throw new CliUsageException($"--interval must be between 0.1 and 3600 seconds (was {seconds}).");
            var refreshes = parse.GetValue(count);
            if (refreshes is < 1) throw new CliUsageException($"--count must be 1 or more (was {refreshes}).");
            var watcher = new Watcher(cli.Client, cli.Time, TimeSpan.FromSeconds(seconds), refreshes);
            return await watcher.RunAsync(cli, ct);
        });
        return command;
    }

    private sealed class Watcher(NexusClient client, TimeProvider time, TimeSpan interval, int? count)
    {
        private readonly List<WatchSnapshot> _snapshots = [];
        private Dictionary<string, (long Finished, long Total)> _previous = [];
        private long? _lastRead;

        public async Task<int> RunAsync(CliContext cli, CancellationToken ct)
        {
            try
            {
                if (cli.Json) await LoopAsync(_ => { }, ct);
                else if (cli.Printer.Out.Profile.Capabilities.Interactive)
                {
                    await cli.Printer.Out.Live(new Text("Reading queues…")).StartAsync(ctx => LoopAsync(s =>
                    {
                        ctx.UpdateTarget(Render(s));
                        ctx.Refresh();
                    }, ct));
                }
                else await LoopAsync(s => cli.Printer.Out.Write(Render(s)), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C is how an endless watch ends; what was shown stands.
            }
            if (cli.Json) cli.Printer.WriteJson(new WatchReport(_snapshots), CliJson.Default.WatchReport);
            return ExitCodes.Success;
        }

        private async Task LoopAsync(Action<WatchSnapshot> show, CancellationToken ct)
        {
            for (var n = 1; count is null || n <= count; n++)
            {
                var snapshot = await ReadAsync(ct);
                _snapshots.Add(snapshot);
                if (_snapshots.Count > 1000) _snapshots.RemoveAt(0);
                show(snapshot);
                if (count is { } last && n == last) break;
                await Task.Delay(interval, time, ct);
            }
        }

        private async Task<WatchSnapshot> ReadAsync(CancellationToken ct)
        {
            var queues = await client.Queues.ListAsync(ct);
            var now = time.GetTimestamp();
            var first = _lastRead is null;
            var elapsed = first ? 0 : time.GetElapsedTime(_lastRead!.Value, now).TotalSeconds;
            _lastRead = now;
            var current = new Dictionary<string, (long Finished, long Total)>(StringComparer.Ordinal);
            var rows = new List<WatchRow>(queues.Count);
            foreach (var q in queues)
            {
                var finished = Finished.Sum(q.Count);
                current[q.Name] = (finished, q.Total);
                double? finishedRate = null, submittedRate = null;
                if (!first && elapsed > 0)
                {
                    var before = _previous.GetValueOrDefault(q.Name);
                    // Retention deletes finished tasks; a drop is not negative throughput.
                    finishedRate = Math.Max(0, finished - before.Finished) / elapsed;
                    submittedRate = Math.Max(0, q.Total - before.Total) / elapsed;
                }
                rows.Add(new WatchRow(q.Name, q.Paused, q.Counts, q.Total, finishedRate, submittedRate));
            }
            _previous = current;
            return new WatchSnapshot(time.GetUtcNow(), rows);
        }

        private static Table Render(WatchSnapshot s)
        {
            var table = Format.Table(["queue", .. TaskStates.All, "total", "done/s", "in/s"]);
            for (var i = 1; i < table.Columns.Count; i++) table.Columns[i].RightAligned();
            table.Title = new TableTitle($"Nexus queues at {Format.Time(s.At)}");
            foreach (var q in s.Queues)
            {
                var name = Format.E(q.Name) + (q.Paused ? " [yellow](paused)[/]" : "");
                table.AddRow([name, .. TaskStates.All.Select(st => Format.Number(q.Counts.TryGetValue(st, out var n) ? n : 0)),
                    Format.Number(q.Total), Format.Rate(q.FinishedPerSecond), Format.Rate(q.SubmittedPerSecond)]);
            }
            if (s.Queues.Count == 0) table.AddRow(["[grey]no queues yet[/]", .. TaskStates.All.Select(_ => ""), "", "", ""]);
            return table;
        }
    }
}

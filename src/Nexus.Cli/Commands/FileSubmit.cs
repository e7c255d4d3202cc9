using System.Globalization;
using System.Text.Json;
using Nexus.Cli.Output;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus submit --file tasks.jsonl</c>: reads every line first (so a bad line stops the run before anything is
/// sent), then submits in batches with a progress bar on stderr.</summary>
internal static class FileSubmit
{
    public static async Task<int> RunAsync(CliContext cli, FileInfo file, SubmitCommand.Draft defaults, int batchSize, CancellationToken cancellationToken)
    {
        if (batchSize is < 1 or > 1000) throw new CliUsageException($"--batch-size must be between 1 and 1000 (was {batchSize}).");
        if (!file.Exists) throw new CliUsageException($"--file: '{file.FullName}' does not exist.");
        var (tasks, lines) = await ReadAsync(file, defaults, cancellationToken);
        if (tasks.Count == 0) throw new CliUsageException($"--file: '{file.Name}' holds no tasks.");

        var results = new List<SubmitResponse>(tasks.Count);
        async Task SubmitAllAsync(Action<int>? advance)
        {
            for (var start = 0; start < tasks.Count; start += batchSize)
            {
                var batch = tasks.Skip(start).Take(batchSize).ToList();
                try
                {
                    results.AddRange(await cli.Client.Tasks.SubmitBatchAsync(batch, cancellationToken));
                }
                catch (NexusApiException ex)
                {
                    throw Relocate(ex, file.Name, lines, start, results.Count);
                }
                advance?.Invoke(batch.Count);
            }
        }

        if (cli.Json)
        {
            await SubmitAllAsync(null);
        }
        else
        {
            await cli.Printer.Err.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var bar = progress.AddTask($"Submitting {tasks.Count} tasks", maxValue: tasks.Count);
                    await SubmitAllAsync(n => bar.Increment(n));
                });
        }

        var created = results.Count(r => r.Created);
        var report = new FileSubmitReport(results.Count, created, results);
        cli.Printer.Show(report, CliJson.Default.FileSubmitReport, o => o.MarkupLine(
            $"Submitted [bold]{results.Count}[/] tasks from {Format.E(file.Name)} ({created} new, {results.Count - created} already there by unique key); ids {results[0].Id}…{results[^1].Id}."));
        return ExitCodes.Success;
    }

    private static async Task<(List<SubmitTaskRequest> Tasks, List<int> Lines)> ReadAsync(FileInfo file, SubmitCommand.Draft defaults, CancellationToken cancellationToken)
    {
        var tasks = new List<SubmitTaskRequest>();
        var lines = new List<int>();
        var number = 0;
        foreach (var line in await File.ReadAllLinesAsync(file.FullName, cancellationToken))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            SubmitTaskRequest? task;
            try
            {
                task = JsonSerializer.Deserialize(line, CliJson.Default.SubmitTaskRequest);
            }
            catch (JsonException ex)
            {
                throw new CliUsageException($"{file.Name}:{number}: not a valid submit body ({ex.Message})");
            }
            if (task is null || string.IsNullOrEmpty(task.Plugin)) throw new CliUsageException($"{file.Name}:{number}: \"plugin\" is required.");
            if (task.Args is not { ValueKind: JsonValueKind.Object }) throw new CliUsageException($"{file.Name}:{number}: \"args\" must be a JSON object.");
            tasks.Add(defaults.Fill(task));
            lines.Add(number);
        }
        return (tasks, lines);
    }

    /// <summary>The server names the task in its batch (<c>tasks[3].args.width</c>); say which line of the file that is
    /// and how many tasks earlier batches already stored.</summary>
    private static NexusApiException Relocate(NexusApiException ex, string file, List<int> lines, int start, int stored)
    {
        var where = "";
        if (ex.Field is { } field && field.StartsWith("tasks[", StringComparison.Ordinal))
        {
            var close = field.IndexOf(']', StringComparison.Ordinal);
            if (int.TryParse(field.AsSpan(6, close - 6), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && start + i < lines.Count)
            {
                where = $"{file}:{lines[start + i]}: ";
            }
        }
        var already = stored > 0 ? $" ({stored} tasks of earlier batches were stored; this batch and the rest were not)" : " (nothing was stored)";
        return new NexusApiException(ex.Status, ex.Code, ex.Title, where + ex.Detail + already, ex.Field, ex.TraceId, ex.RetryAfter, ex.Type, ex.Instance);
    }
}

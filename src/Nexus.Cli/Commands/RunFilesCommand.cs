using System.CommandLine;
using Nexus.Cli.Output;
using Nexus.Client;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus runs artifacts &lt;run&gt;</c>, <c>nexus runs download &lt;run&gt; &lt;name&gt; [-o file]</c> and
/// <c>nexus runs logs &lt;run&gt; &lt;step&gt; [--attempt n] [--item n]</c>: a run's files and its steps' attempt logs.</summary>
internal static class RunFilesCommand
{
    public static Command Artifacts()
    {
        var id = new Argument<long>("id") { Description = "The run id" };
        var all = new Option<bool>("--all") { Description = "Fetch every page" };
        var limit = new Option<int>("--limit", "-n") { Description = "Artifacts per page (1–1000)", DefaultValueFactory = _ => 100 };
        var cursor = new Option<string?>("--cursor") { Description = "Start after this name (the 'next' of the previous page)" };
        var command = new Command("artifacts", "List a run's artifacts: every step's files, offloaded outputs and logs") { id, limit, cursor, all };
        command.Handle(async (parse, cli, ct) =>
        {
            var runId = parse.GetValue(id);
            var page = await cli.Client.Workflows.ListRunArtifactsAsync(runId, parse.GetValue(cursor), parse.GetValue(limit), ct);
            if (parse.GetValue(all))
            {
                var items = new List<ArtifactResponse>(page.Items);
                while (page.Next is { } next)
                {
                    page = await cli.Client.Workflows.ListRunArtifactsAsync(runId, next, 1000, ct);
                    items.AddRange(page.Items);
                }
                page = new ArtifactListResponse(items, null);
            }
            cli.Printer.Show(page, CliJson.Default.ArtifactListResponse, o =>
            {
                if (page.Items.Count == 0)
                {
                    o.MarkupLine($"[grey]Run {runId} has no artifacts.[/]");
                    return;
                }
                var table = Format.Table("name", "bytes", "modified");
                foreach (var f in page.Items) table.AddRow(Format.E(f.Path), Format.Number(f.Bytes), Format.Time(f.ModifiedAt));
                o.Write(table);
                if (page.Next is { } more) o.MarkupLine($"[grey]More: --cursor {Format.E(more)}[/]");
            });
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Download()
    {
        var id = new Argument<long>("id") { Description = "The run id" };
        var name = new Argument<string>("name") { Description = "The artifact, relative to the run, e.g. zip/pipeline.zip (see nexus runs artifacts)" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write it: a file, or a folder to put it in (default: its file name in this folder; - for stdout)" };
        var command = new Command("download", "Download one of a run's artifacts") { id, name, output };
        command.Handle(async (parse, cli, ct) =>
        {
            var runId = parse.GetValue(id);
            var remote = parse.GetValue(name)!;
            var target = parse.GetValue(output) ?? Path.GetFileName(remote.TrimEnd('/'));
            if (string.IsNullOrEmpty(target)) throw new CliUsageException($"'{remote}' names no file; give -o.");
            if (target == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                await cli.Client.Workflows.DownloadRunArtifactAsync(runId, remote, stdout, ct);
                return ExitCodes.Success;
            }
            // Written beside the target and moved over it once complete: a refused or broken download leaves no file.
            var full = Path.GetFullPath(target);
            if (Directory.Exists(full)) full = Path.Join(full, Path.GetFileName(remote.TrimEnd('/')));
            var partial = full + ".partial";
            ArtifactDownload download;
            try
            {
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    download = await cli.Client.Workflows.DownloadRunArtifactAsync(runId, remote, file, ct);
                }
                File.Move(partial, full, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
            var report = new ArtifactGetReport(download.Path, download.Bytes, download.ContentType, full);
            cli.Printer.Show(report, CliJson.Default.ArtifactGetReport,
                o => o.MarkupLine($"Saved {Format.E(download.Path)} of run {runId} ({Format.Number(download.Bytes)} bytes, {Format.E(download.ContentType)}) to {Format.E(Path.GetRelativePath(Environment.CurrentDirectory, full))}."));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Logs()
    {
        var id = new Argument<long>("id") { Description = "The run id" };
        var step = new Argument<string>("step") { Description = "The step id" };
        var attempt = new Option<int?>("--attempt", "-a") { Description = "Which attempt (default: the latest)" };
        var item = new Option<int?>("--item") { Description = "For a forEach step: the item's index" };
        var command = new Command("logs", "Print the log of one attempt of a step (what its plugin logged, bounded per attempt)") { id, step, attempt, item };
        command.Handle(async (parse, cli, ct) =>
        {
            var text = await cli.Client.Workflows.GetStepLogAsync(parse.GetValue(id), parse.GetValue(step)!, parse.GetValue(attempt), parse.GetValue(item), ct);
            // Raw text in both modes: a log is lines, not a document (pipe it to grep).
            Console.Out.Write(text);
            return ExitCodes.Success;
        });
        return command;
    }
}

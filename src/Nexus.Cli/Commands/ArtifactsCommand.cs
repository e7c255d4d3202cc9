using System.CommandLine;
using Nexus.Cli.Output;
using Nexus.Client;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus artifacts ls [prefix]</c> and <c>nexus artifacts get &lt;path&gt; [-o file]</c>: what the plugins
/// wrote under the server's artifacts root.</summary>
internal static class ArtifactsCommand
{
    public static Command Create()
    {
        var artifacts = new Command("artifacts", "The files the plugins wrote under the server's artifacts root");
        artifacts.Subcommands.Add(List());
        artifacts.Subcommands.Add(Get());
        return artifacts;
    }

    private static Command List()
    {
        var prefix = new Argument<string?>("prefix") { Description = "Only paths that start with this, e.g. images/ (default: all)", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit", "-n") { Description = "Files per page (1–1000)", DefaultValueFactory = _ => 100 };
        var cursor = new Option<string?>("--cursor") { Description = "Start after this path (the 'next' of the previous page)" };
        var all = new Option<bool>("--all") { Description = "Fetch every page" };
        var list = new Command("ls", "List files by path, with size and modification time") { prefix, limit, cursor, all };
        list.Handle(async (parse, cli, ct) =>
        {
            ArtifactListResponse page;
            if (parse.GetValue(all))
            {
                var items = new List<ArtifactResponse>();
                await foreach (var item in cli.Client.Artifacts.ListAllAsync(parse.GetValue(prefix), ct)) items.Add(item);
                page = new ArtifactListResponse(items, null);
            }
            else
            {
                page = await cli.Client.Artifacts.ListAsync(parse.GetValue(prefix), parse.GetValue(cursor), parse.GetValue(limit), ct);
            }
            cli.Printer.Show(page, CliJson.Default.ArtifactListResponse, o =>
            {
                if (page.Items.Count == 0)
                {
                    o.MarkupLine("[grey]No files.[/]");
                    return;
                }
                var table = Format.Table("path", "bytes", "modified");
                foreach (var f in page.Items) table.AddRow(Format.E(f.Path), Format.Number(f.Bytes), Format.Time(f.ModifiedAt));
                o.Write(table);
                if (page.Next is { } next) o.MarkupLine($"[grey]More: --cursor {Format.E(next)}[/]");
            });
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command Get()
    {
        var path = new Argument<string>("path") { Description = "The file, relative to the artifacts root, e.g. hello/story.txt" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write it: a file, or a folder to put it in (default: its file name in this folder; - for stdout)" };
        var get = new Command("get", "Download a file") { path, output };
        get.Handle(async (parse, cli, ct) =>
        {
            var remote = parse.GetValue(path)!;
            var target = parse.GetValue(output) ?? Path.GetFileName(remote.TrimEnd('/'));
            if (string.IsNullOrEmpty(target)) throw new CliUsageException($"'{remote}' names no file; give -o.");
            ArtifactDownload download;
            if (target == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                await cli.Client.Artifacts.DownloadAsync(remote, stdout, ct);
                return ExitCodes.Success;
            }
            // Written beside the target and moved over it once complete: a refused or broken download leaves no file.
            var full = Path.GetFullPath(target);
            if (Directory.Exists(full)) full = Path.Join(full, Path.GetFileName(remote.TrimEnd('/')));   // -o some/folder
            var partial = full + ".partial";
            try
            {
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    download = await cli.Client.Artifacts.DownloadAsync(remote, file, ct);
                }
                File.Move(partial, full, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
            var report = new ArtifactGetReport(download.Path, download.Bytes, download.ContentType, full);
            cli.Printer.Show(report, CliJson.Default.ArtifactGetReport,
                o => o.MarkupLine($"Saved {Format.E(download.Path)} ({Format.Number(download.Bytes)} bytes, {Format.E(download.ContentType)}) to {Format.E(Path.GetRelativePath(Environment.CurrentDirectory, full))}."));
            return ExitCodes.Success;
        });
        return get;
    }
}

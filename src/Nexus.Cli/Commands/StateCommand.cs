using System.CommandLine;
using System.Text.Json;
using Nexus.Cli.Output;
using Nexus.Client;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus state get|set|rm|ls|history|watch</c>: the versioned state store of a namespace.</summary>
internal static class StateCommand
{
    public static Command Create()
    {
        var state = new Command("state", "The versioned state store: keys holding JSON, with versions and compare-and-set");
        state.Subcommands.Add(Get());
        state.Subcommands.Add(Set());
        state.Subcommands.Add(Remove());
        state.Subcommands.Add(List());
        state.Subcommands.Add(History());
        state.Subcommands.Add(Watch());
        return state;
    }

    private static Option<string> Namespace() =>
        new("--namespace", "--ns") { Description = "The namespace (default: default)", DefaultValueFactory = _ => "default" };

    private static Argument<string> KeyArgument() => new("key") { Description = "The key, e.g. users/42/profile" };

    private static Option<long?> Expect() =>
        new("--expect") { Description = "Only when the key is at this version (0: only when it does not exist)" };

    private static Command Get()
    {
        var ns = Namespace();
        var key = KeyArgument();
        var get = new Command("get", "Show a key's value and version") { key, ns };
        get.Handle(async (parse, cli, ct) =>
        {
            var entry = await cli.Client.State.GetAsync(parse.GetValue(ns)!, parse.GetValue(key)!, ct);
            if (entry is null)
            {
                Console.Error.WriteLine($"State key '{parse.GetValue(key)}' does not exist in namespace '{parse.GetValue(ns)}'.");
                return ExitCodes.Refused;
            }
            Show(cli, entry);
            return ExitCodes.Success;
        });
        return get;
    }

    private static Command Set()
    {
        var ns = Namespace();
        var key = KeyArgument();
        var value = new Argument<string>("value") { Description = "The JSON value, e.g. '{\"name\":\"Ada\"}' or '\"text\"' or 42" };
        var expect = Expect();
        var ttl = new Option<string?>("--ttl") { Description = "Expire after this long: 30s, 5m, 1h30m, PT1H" };
        var set = new Command("set", "Write a new version of a key") { key, value, ns, expect, ttl };
        set.Handle(async (parse, cli, ct) =>
        {
            var json = parse.GetValue(value)!;
            try
            {
                using var _ = JsonDocument.Parse(json);
            }
            catch (JsonException ex)
            {
                throw new CliUsageException($"value: not valid JSON ({ex.Message}); quote text as '\"text\"'.");
            }
            var entry = await cli.Client.State.SetAsync(parse.GetValue(ns)!, parse.GetValue(key)!, json, parse.GetValue(expect), parse.GetValue(ttl), ct);
            Show(cli, entry);
            return ExitCodes.Success;
        });
        return set;
    }

    private static Command Remove()
    {
        var ns = Namespace();
        var key = KeyArgument();
        var expect = Expect();
        var rm = new Command("rm", "Delete a key (its history keeps the deletion)") { key, ns, expect };
        rm.Handle(async (parse, cli, ct) =>
        {
            var deleted = await cli.Client.State.DeleteAsync(parse.GetValue(ns)!, parse.GetValue(key)!, parse.GetValue(expect), ct);
            cli.Printer.Show(deleted, CliJson.Default.StateDeleteResponse, o => o.MarkupLine($"Deleted {Format.E(deleted.Key)} (version {deleted.Version})."));
            return ExitCodes.Success;
        });
        return rm;
    }

    private static Command List()
    {
        var ns = Namespace();
        var prefix = new Argument<string?>("prefix") { Description = "Only keys that start with this, e.g. users/ (default: all)", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit", "-n") { Description = "Keys per page (1–1000)", DefaultValueFactory = _ => 100 };
        var cursor = new Option<string?>("--cursor") { Description = "Start after this key (the 'next' of the previous page)" };
        var ls = new Command("ls", "List keys by prefix, in key order") { prefix, ns, limit, cursor };
        ls.Handle(async (parse, cli, ct) =>
        {
            var page = await cli.Client.State.ListAsync(parse.GetValue(ns)!, parse.GetValue(prefix), parse.GetValue(cursor), parse.GetValue(limit), ct);
            cli.Printer.Show(page, CliJson.Default.StateListResponse, o =>
            {
                if (page.Items.Count == 0)
                {
                    o.MarkupLine("[grey]No keys.[/]");
                    return;
                }
                var table = Format.Table("key", "version", "updated", "expires", "value");
                foreach (var e in page.Items)
                {
                    table.AddRow(Format.E(e.Key), Format.Number(e.Version), Format.Time(e.UpdatedAt), e.ExpiresAt is { } x ? Format.Time(x) : "-", Format.E(Shorten(e.Value.GetRawText())));
                }
                o.Write(table);
                if (page.Next is { } next) o.MarkupLine($"[grey]More: --cursor {Format.E(next)}[/]");
            });
            return ExitCodes.Success;
        });
        return ls;
    }

    private static Command History()
    {
        var ns = Namespace();
        var key = KeyArgument();
        var limit = new Option<int>("--limit", "-n") { Description = "Versions to show (1–1000)", DefaultValueFactory = _ => 20 };
        var history = new Command("history", "A key's versions, newest first") { key, ns, limit };
        history.Handle(async (parse, cli, ct) =>
        {
            var versions = await cli.Client.State.HistoryAsync(parse.GetValue(ns)!, parse.GetValue(key)!, null, parse.GetValue(limit), ct);
            cli.Printer.Show(versions, CliJson.Default.IReadOnlyListStateVersionResponse, o =>
            {
                var table = Format.Table("version", "operation", "at", "value");
                foreach (var v in versions) table.AddRow(Format.Number(v.Version), v.Operation, Format.Time(v.At), v.Value is { } x ? Format.E(Shorten(x.GetRawText())) : "-");
                o.Write(table);
            });
            return ExitCodes.Success;
        });
        return history;
    }

    private static Command Watch()
    {
        var ns = Namespace();
        var key = KeyArgument();
        var prefix = new Option<bool>("--prefix") { Description = "Watch every key starting with <key> (\"\" for all)" };
        var after = new Option<string?>("--after") { Description = "Resume after this cursor (tx-position, as printed) without printing the current value; default: print the current value, then its changes" };
        var watch = new Command("watch", "Print a key's (or prefix's) current value, then every change as it happens (Ctrl+C stops); resumes by itself after a drop") { key, ns, prefix, after };
        watch.Handle(async (parse, cli, ct) =>
        {
            var space = parse.GetValue(ns)!;
            var name = parse.GetValue(key)!;
            var isPrefix = parse.GetValue(prefix);
            var channel = (isPrefix ? "state-prefix:" : "state:") + name;
            var from = parse.GetValue(after);
            try
            {
                // Where the user starts: the head of the log first, then the value(s) read after it, then the changes
                // after the head. Nothing falls between; a change racing the read may show twice (its version tells).
                from ??= await PrintCurrentAsync(cli, space, name, isPrefix, ct);
                await foreach (var change in cli.Client.Live.SubscribeAsync(space, [LiveChannelSpec.Of(channel)], from, ct))
                {
                    // One line per change: a JSON object with --json, else "cursor op key vN value".
                    if (cli.Json) Console.WriteLine(change.Message.GetRawText());
                    else Console.WriteLine($"{change.Cursor} {change.Op} {change.Key} v{change.Version}{(change.ValueJson is null ? "" : " " + change.ValueJson)}");
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (NexusResyncException ex)
            {
                Console.Error.WriteLine($"Resync needed: {ex.Message} Read the keys again and watch with --after {ex.Head}.");
                return ExitCodes.Refused;
            }
            return ExitCodes.Success;
        });
        return watch;
    }

    /// <summary>Prints the current value of the key (or every key of the prefix) as read after the log's head, one line
    /// each — <c>cursor current key vN value</c>, or <c>cursor absent key</c>; with --json an object of type
    /// <c>current</c> — and returns the head to watch after.</summary>
    private static async Task<string> PrintCurrentAsync(CliContext cli, string ns, string key, bool prefix, CancellationToken ct)
    {
        var head = (await cli.Client.State.WatchAsync(ns, key, prefix, timeout: "0s", limit: 1, cancellationToken: ct)).Next;
        var entries = new List<StateResponse>();
        if (prefix)
        {
            string? next = null;
            do
            {
                var page = await cli.Client.State.ListAsync(ns, key.Length == 0 ? null : key, next, 1000, ct);
                entries.AddRange(page.Items);
                next = page.Next;
            }
            while (next is not null);
        }
        else if (await cli.Client.State.GetAsync(ns, key, ct) is { } entry)
        {
            entries.Add(entry);
        }
        foreach (var e in entries)
        {
            if (cli.Json) Console.WriteLine(CurrentLine(head, e.Key, e.Version, e.Value));
            else Console.WriteLine($"{head} current {e.Key} v{e.Version} {e.Value.GetRawText()}");
        }
        if (entries.Count == 0 && !prefix)
        {
            if (cli.Json) Console.WriteLine(CurrentLine(head, key, 0, null));
            else Console.WriteLine($"{head} absent {key}");
        }
        return head;
    }

    /// <summary>A <c>state watch --json</c> line for a value read before the changes (one line, as the changes' are):
    /// <c>{"type":"current","cursor","key","exists","version","value"}</c>.</summary>
    private static string CurrentLine(string cursor, string key, long version, JsonElement? value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "current");
            w.WriteString("cursor", cursor);
            w.WriteString("key", key);
            w.WriteBoolean("exists", value is not null);
            w.WriteNumber("version", version);
            w.WritePropertyName("value");
            if (value is { } v) v.WriteTo(w);
            else w.WriteNullValue();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Show(CliContext cli, StateResponse entry) =>
        cli.Printer.Show(entry, CliJson.Default.StateResponse, o =>
        {
            o.MarkupLine($"[bold]{Format.E(entry.Key)}[/] in {Format.E(entry.Namespace)}: version {entry.Version}, updated {Format.Time(entry.UpdatedAt)}"
                + (entry.ExpiresAt is { } x ? $", expires {Format.Time(x)}" : ""));
            o.WriteLine(entry.Value.GetRawText());
        });

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}

using System.CommandLine;
using System.Globalization;
using Nexus.Client;

namespace Nexus.Cli.Commands;

/// <summary>The list filters shared by <c>tasks ls</c> and <c>dlq ls</c>, and the bulk filter of <c>dlq retry|purge</c>.</summary>
internal sealed class TaskFilterOptions
{
    public Option<string?> Plugin { get; } = new("--plugin") { Description = "Only this plugin's tasks" };
    public Option<string?> Queue { get; } = new("--queue", "-q") { Description = "Only this queue's tasks" };
    public Option<string?> Tag { get; } = new("--tag", "-t") { Description = "Only tasks with this tag" };
    public Option<string?> CreatedFrom { get; } = new("--created-from") { Description = "Only tasks created at or after this time (ISO 8601)" };
    public Option<string?> CreatedBefore { get; } = new("--created-before") { Description = "Only tasks created before this time (ISO 8601)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Plugin);
        command.Options.Add(Queue);
        command.Options.Add(Tag);
        command.Options.Add(CreatedFrom);
        command.Options.Add(CreatedBefore);
    }

    public bool Any(ParseResult parse) =>
        parse.GetValue(Plugin) is not null || parse.GetValue(Queue) is not null || parse.GetValue(Tag) is not null ||
        parse.GetValue(CreatedFrom) is not null || parse.GetValue(CreatedBefore) is not null;

    public TaskQuery Query(ParseResult parse) => new()
    {
        Plugin = parse.GetValue(Plugin),
        Queue = parse.GetValue(Queue),
        Tag = parse.GetValue(Tag),
        CreatedFrom = Time(parse.GetValue(CreatedFrom), "--created-from"),
        CreatedBefore = Time(parse.GetValue(CreatedBefore), "--created-before"),
    };

    public DeadLetterFilterRequest Filter(ParseResult parse, int? max) => new()
    {
        Plugin = parse.GetValue(Plugin),
        Queue = parse.GetValue(Queue),
        Tag = parse.GetValue(Tag),
        CreatedFrom = Time(parse.GetValue(CreatedFrom), "--created-from"),
        CreatedBefore = Time(parse.GetValue(CreatedBefore), "--created-before"),
        Max = max,
    };

    private static DateTimeOffset? Time(string? text, string option)
    {
        if (text is null) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new CliUsageException($"{option} must be a time such as 2030-01-31 or 2030-01-31T12:00:00Z (was '{text}').");
    }
}

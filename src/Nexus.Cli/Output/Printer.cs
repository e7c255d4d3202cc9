using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Nexus.Cli.Output;

/// <summary>Writes a command's answer: one JSON document with <c>--json</c>, else human text and Spectre tables on stdout.
/// Notes meant for people (warnings, hints, progress) go to stderr so that stdout stays the answer.</summary>
internal sealed class Printer(bool json)
{
    private IAnsiConsole? _out;
    private IAnsiConsole? _err;

    public bool Json { get; } = json;

    /// <summary>The human stdout console. Wide when not a terminal, so that piped tables do not wrap at 80 columns.</summary>
    public IAnsiConsole Out => _out ??= Create(Console.Out, Console.IsOutputRedirected);

    /// <summary>The human stderr console (progress bars, warnings).</summary>
    public IAnsiConsole Err => _err ??= Create(Console.Error, Console.IsErrorRedirected);

    public void WriteJson<T>(T value, JsonTypeInfo<T> type) => Console.Out.WriteLine(JsonSerializer.Serialize(value, CliJsonOutput.Of(type)));

    /// <summary>Prints <paramref name="value"/> as JSON with <c>--json</c>, else runs <paramref name="human"/>.</summary>
    public void Show<T>(T value, JsonTypeInfo<T> type, Action<IAnsiConsole> human)
    {
        if (Json) WriteJson(value, type);
        else human(Out);
    }

    public void Line(string markup) => Out.MarkupLine(markup);

    public void Render(IRenderable renderable) => Out.Write(renderable);

    public void Warn(string text)
    {
        if (!Json) Err.MarkupLine($"[yellow]{Markup.Escape(text)}[/]");
        else Console.Error.WriteLine(text);
    }

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected) console.Profile.Width = 240;
        return console;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Nexus.Cli.Output;

/// <summary>What <c>--json</c> prints: <see cref="CliJson"/>, plus the conveniences of the contracts that the wire leaves
/// out (<c>[JsonIgnore]</c>) but the CLI's documents have always carried: <c>isFinished</c> of a task and of a run,
/// <c>isReady</c> of readiness (last, as before).</summary>
internal static class CliJsonOutput
{
    private static readonly JsonSerializerOptions Options = Create();

    /// <summary>The type info of <typeparamref name="T"/> with the conveniences added.</summary>
    public static JsonTypeInfo<T> Of<T>(JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(CliJson.Default.Options) { TypeInfoResolver = CliJson.Default.WithAddedModifier(AddConveniences) };
        options.MakeReadOnly();
        return options;
    }

    private static void AddConveniences(JsonTypeInfo info)
    {
        if (info.Type == typeof(TaskResponse)) Add<TaskResponse>(info, "isFinished", t => t.IsFinished);
        else if (info.Type == typeof(RunResponse)) Add<RunResponse>(info, "isFinished", r => r.IsFinished);
        else if (info.Type == typeof(ReadyResponse)) Add<ReadyResponse>(info, "isReady", r => r.IsReady);
    }

    private static void Add<T>(JsonTypeInfo info, string name, Func<T, bool> get)
    {
        // The contract's own property is there, ignored ([JsonIgnore]): replace it by one that is written.
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (info.Properties[i].Name == name) info.Properties.RemoveAt(i);
        }
        var property = info.CreateJsonPropertyInfo(typeof(bool), name);
        property.Get = o => get((T)o);
        info.Properties.Add(property);
    }
}

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Nexus.Plugins.Samples;

/// <summary>What <c>data.mapreduce</c> computes.</summary>
public enum MapReduceOperation
{
    /// <summary>Counts words (the <c>text.wordcount</c> rule): of the whole text, or of the string values of JSON records.</summary>
    [JsonStringEnumMemberName("wordcount")] WordCount,
    /// <summary>Adds up a numeric field (JSON) or one number per line (text).</summary>
    [JsonStringEnumMemberName("sum")] Sum,
    /// <summary>Averages a numeric field (JSON) or one number per line (text).</summary>
    [JsonStringEnumMemberName("avg")] Avg,
    /// <summary>Counts JSON records per value of <c>key</c>; with <c>field</c>, also its sum and average per group.</summary>
    [JsonStringEnumMemberName("groupby")] GroupBy,
}

/// <summary>Arguments of <c>data.mapreduce</c>.</summary>
/// <param name="InputFile">The input, relative to the artifacts root: a JSON array of records when its first non-blank
/// character is <c>[</c>, plain text otherwise. At most <see cref="SamplePluginsOptions.MaxInputBytes"/> bytes.</param>
/// <param name="OutputFile">Where the result JSON is written, relative to the artifacts root.</param>
/// <param name="Operation">What to compute. Default <see cref="MapReduceOperation.WordCount"/>.</param>
/// <param name="Field">The record field to read, dotted for nesting (<c>order.total</c>). For sum and avg over JSON
/// records, the number to add up; without it, sum and avg read an array of numbers (<c>[1, 2.5, 3]</c>), and a
/// record there fails the task asking for the field. Optional for groupby (adds sum and average per group) and
/// wordcount (counts only that field's strings). Not allowed with plain text, where sum and avg read one number a line.</param>
/// <param name="Key">The record field to group by (groupby only, required), dotted for nesting.</param>
/// <param name="Workers">Chunks mapped at once inside the task, 1–64. Default 4.</param>
public sealed record MapReduceArgs(
    [property: Description("Input file relative to the artifacts root: a JSON array of records, or plain text.")]
    [property: StringLength(1024, MinimumLength = 1), RelativePath]
    string InputFile,
    [property: Description("Where the result JSON is written, relative to the artifacts root.")]
    [property: StringLength(1024, MinimumLength = 1), RelativePath]
    string OutputFile,
    [property: Description("What to compute: wordcount, sum, avg or groupby.")]
    MapReduceOperation Operation = MapReduceOperation.WordCount,
    [property: Description("Record field to read (dotted for nesting): the number sum and avg add up over JSON records (without it they read an array of numbers); optional for groupby and wordcount; not with plain text.")]
    [property: StringLength(256, MinimumLength = 1)]
    string? Field = null,
    [property: Description("Record field to group by (groupby only), dotted for nesting.")]
    [property: StringLength(256, MinimumLength = 1)]
    string? Key = null,
    [property: Description("Chunks mapped at once inside the task.")]
    [property: Range(1, 64)]
    int Workers = 4) : IValidatableObject
{
    /// <summary>The rules between arguments that need no file to check, applied at submit (and again when the task runs).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Operation == MapReduceOperation.GroupBy && string.IsNullOrWhiteSpace(Key))
        {
            yield return new ValidationResult("groupby needs the record field to group by: add \"key\", e.g. \"key\": \"category\"", [nameof(Key)]);
        }
        else if (Operation != MapReduceOperation.GroupBy && Key is not null)
        {
            yield return new ValidationResult("only groupby uses a key; leave key out or use \"operation\": \"groupby\"", [nameof(Key)]);
        }
    }
}

/// <summary>One group of a groupby.</summary>
/// <param name="Key">The key value: a string as is, anything else as its JSON text (<c>42</c>, <c>true</c>, <c>null</c>).</param>
/// <param name="Count">Records in the group.</param>
/// <param name="Sum">Sum of <c>field</c> over the group's records that have it as a number; absent without <c>field</c>.</param>
/// <param name="Average">Average of the same values; absent without <c>field</c> or when no record had one.</param>
public sealed record GroupSummary(
    string Key,
    long Count,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Sum = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Average = null);

/// <summary>Result of <c>data.mapreduce</c>: written to the output file in full, and returned with its lists cut
/// to <see cref="SamplePluginsOptions.MaxResultEntries"/> entries (then <see cref="Truncated"/> is true).
/// Members that do not apply to the operation are left out.</summary>
public sealed record MapReduceResult
{
    /// <summary>The operation.</summary>
    public required MapReduceOperation Operation { get; init; }
    /// <summary>The input, relative to the artifacts root.</summary>
    public required string InputFile { get; init; }
    /// <summary>The output, relative to the artifacts root.</summary>
    public required string OutputFile { get; init; }
    /// <summary><c>json</c> or <c>text</c>.</summary>
    public required string InputKind { get; init; }
    /// <summary>JSON records, or text lines.</summary>
    public required long Records { get; init; }
    /// <summary>Chunks the input was split into.</summary>
    public required int Chunks { get; init; }
    /// <summary>Chunks mapped at once.</summary>
    public required int Workers { get; init; }

    /// <summary>wordcount: all words, repeats included.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? TotalWords { get; init; }
    /// <summary>wordcount: distinct words.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? UniqueWords { get; init; }
    /// <summary>wordcount: every word with its count, highest first, ties by word.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<WordFrequency>? Words { get; init; }

    /// <summary>sum and avg: values added up.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Count { get; init; }
    /// <summary>sum and avg: records without the field, or with null there.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Skipped { get; init; }
    /// <summary>sum and avg: the sum.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Sum { get; init; }
    /// <summary>sum and avg: the average; absent when there were no values.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Average { get; init; }

    /// <summary>groupby: distinct keys.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? GroupCount { get; init; }
    /// <summary>groupby: the groups, largest first, ties by key.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<GroupSummary>? Groups { get; init; }

    /// <summary>True when <see cref="Words"/> or <see cref="Groups"/> was cut for the returned result; the file has them all.</summary>
    public bool Truncated { get; init; }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nexus.Hosting;

namespace Nexus.Plugins.Samples;

/// <summary>Registers the sample plugins inside <c>services.AddNexus(...)</c>.</summary>
public static class SamplePluginsBuilderExtensions
{
    /// <summary>Registers all seven sample plugins (<c>image.generate</c>, <c>pattern.draw</c>, <c>text.generate</c>,
    /// <c>text.wordcount</c>, <c>data.mapreduce</c>, <c>images.pick-random</c>, <c>files.zip</c>) and their
    /// <see cref="SamplePluginsOptions"/>. <see cref="SamplePluginsOptions.ArtifactsRoot"/> is resolved to a full path.</summary>
    /// <example><code>
    /// services.AddNexus(n => n
    ///     .UseSqlite("Data Source=./data/nexus.db")
    ///     .AddSamplePlugins(o => o.ArtifactsRoot = "./generated"));
    /// </code></example>
    public static NexusBuilder AddSamplePlugins(this NexusBuilder builder, Action<SamplePluginsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SamplePluginsOptions>();
        if (configure is not null) options.Configure(configure);
        options.PostConfigure(o =>
        {
            if (!string.IsNullOrWhiteSpace(o.ArtifactsRoot)) o.ArtifactsRoot = Path.GetFullPath(o.ArtifactsRoot);
        });
        builder.Services.AddSingleton<IValidateOptions<SamplePluginsOptions>, SamplePluginsOptionsValidator>();
        builder.Services.TryAddSingleton<ImageMemoryBudget>();
        options.ValidateOnStart();
        return builder
            .AddPlugin<ImageGeneratePlugin>()
            .AddPlugin<PatternDrawPlugin>()
            .AddPlugin<TextGeneratePlugin>()
            .AddPlugin<WordCountPlugin>()
            .AddPlugin<MapReducePlugin>()
            .AddPlugin<PickRandomImagesPlugin>()
            .AddPlugin<ZipPlugin>();
    }

    private sealed class SamplePluginsOptionsValidator : IValidateOptions<SamplePluginsOptions>
    {
        public ValidateOptionsResult Validate(string? name, SamplePluginsOptions options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}

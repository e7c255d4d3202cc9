using Microsoft.Extensions.Options;
using Nexus.Artifacts;
using Nexus.Artifacts.S3;

namespace Nexus.Server.Hosting;

/// <summary>Picks the artifact store from <c>Nexus:Artifacts</c>: <c>Store</c> = <c>local</c> (default; the folder
/// <c>Path</c>, default <c>./data/artifacts</c>) or <c>s3</c> (<c>S3:ServiceUrl</c>, <c>S3:Bucket</c>, <c>S3:Region</c>,
/// <c>S3:AccessKey</c>, <c>S3:SecretKey</c>, <c>S3:ForcePathStyle</c>, <c>S3:Prefix</c>). Registered before
/// <c>AddNexus</c>, which keeps it.</summary>
internal static class ArtifactStoreSelection
{
    public static IServiceCollection AddConfiguredArtifactStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ArtifactOptions>().Bind(configuration.GetSection("Nexus:Artifacts"));
        services.AddSingleton<IArtifactStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ArtifactOptions>>().Value;
            var kind = (options.Store ?? "local").Trim();
            if (kind.Equals("local", StringComparison.OrdinalIgnoreCase)) return new LocalArtifactStore(options.Path);
            if (kind.Equals("s3", StringComparison.OrdinalIgnoreCase)) return new S3ArtifactStore(options.S3);
            throw new InvalidOperationException($"Nexus:Artifacts:Store must be 'local' or 's3' (was '{kind}').");
        });
        return services;
    }
}

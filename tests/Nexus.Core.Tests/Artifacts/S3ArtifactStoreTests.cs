using Nexus.Artifacts;
using Nexus.Artifacts.S3;

namespace Nexus.Core.Tests.Artifacts;

/// <summary>The contract against a real S3-compatible server (s3rver), through path-style addressing. Each test gets
/// its own key prefix, so tests share one server without seeing each other's objects.</summary>
public sealed class S3ArtifactStoreTests(S3rverServer server) : ArtifactStoreContract, IClassFixture<S3rverServer>, IDisposable
{
    private readonly S3ArtifactStore _store = new(new S3ArtifactOptions
    {
        ServiceUrl = server.ServiceUrl,
        Bucket = S3rverServer.Bucket,
        Prefix = "t" + Guid.NewGuid().ToString("N") + "/",
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
        ForcePathStyle = true,
    });

    protected override IArtifactStore Store => _store;

    public void Dispose() => _store.Dispose();

    [Fact]
    public void A_store_without_a_bucket_is_refused_at_start()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new S3ArtifactStore(new S3ArtifactOptions { ServiceUrl = server.ServiceUrl }));
        Assert.Contains("Nexus:Artifacts:S3:Bucket", ex.Message, StringComparison.Ordinal);
    }
}

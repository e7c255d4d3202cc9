using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Nexus.Artifacts.S3;

/// <summary>
/// Artifacts as objects in one bucket of an S3-compatible server (AWS S3, MinIO, Ceph, s3rver): the key is
/// <see cref="S3ArtifactOptions.Prefix"/> + the name. Path-style addressing and the endpoint come from
/// <see cref="S3ArtifactOptions"/>; the SDK's optional payload checksums are sent only when an operation requires them,
/// which S3-compatible servers accept. A put of a stream that cannot seek is buffered in a temporary file first (S3
/// needs the length up front).
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly string _bucket;
    private readonly string _prefix;

    /// <summary>A store over a client made from <paramref name="options"/>.</summary>
    public S3ArtifactStore(S3ArtifactOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Bucket)) throw new InvalidOperationException("Nexus:Artifacts:S3:Bucket must be set when Nexus:Artifacts:Store is s3.");
        if (options.Prefix.Length > 0) ArtifactName.ValidatePrefix(options.Prefix, "Nexus:Artifacts:S3:Prefix");
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            AuthenticationRegion = options.Region,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl)) config.ServiceURL = options.ServiceUrl;
        else config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        _s3 = options.AccessKey is not null && options.SecretKey is not null
            ? new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config)
            : new AmazonS3Client(config);
        _bucket = options.Bucket;
        _prefix = options.Prefix;
    }

    /// <inheritdoc />
    public async Task<ArtifactInfo> PutAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArtifactName.Validate(name);
        Stream body = content;
        string? temp = null;
        try
        {
            if (!content.CanSeek)
            {
                temp = Path.GetTempFileName();
                body = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                await content.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
                body.Position = 0;
            }
            var length = body.Length - body.Position;
            await _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket,
                Key = _prefix + name,
                InputStream = body,
                AutoCloseStream = false,
                UseChunkEncoding = false,
                ContentType = "application/octet-stream",
            }, cancellationToken).ConfigureAwait(false);
            var info = await GetInfoAsync(name, cancellationToken).ConfigureAwait(false);
            return info ?? new ArtifactInfo(name, length, DateTimeOffset.MinValue);
        }
        finally
        {
            if (temp is not null) await body.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<Stream?> OpenAsync(string name, CancellationToken cancellationToken = default)
    {
        ArtifactName.Validate(name);
        try
        {
            var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = _prefix + name }, cancellationToken).ConfigureAwait(false);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<ArtifactInfo?> GetInfoAsync(string name, CancellationToken cancellationToken = default)
    {
        ArtifactName.Validate(name);
        try
        {
            var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + name }, cancellationToken).ConfigureAwait(false);
            return new ArtifactInfo(name, head.ContentLength, ToOffset(head.LastModified));
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactInfo>> ListAsync(string prefix, string? after = null, int limit = 1000, CancellationToken cancellationToken = default)
    {
        ArtifactName.ValidatePrefix(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var found = new List<ArtifactInfo>();
        string? token = null;
        do
        {
            var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _bucket,
                Prefix = _prefix + prefix,
                StartAfter = after is null ? null : _prefix + after,
                ContinuationToken = token,
                MaxKeys = Math.Min(1000, limit - found.Count),
            }, cancellationToken).ConfigureAwait(false);
            foreach (var o in page.S3Objects ?? [])
            {
                var name = o.Key[_prefix.Length..];
                if (ArtifactName.Problem(name) is not null) continue;
                found.Add(new ArtifactInfo(name, o.Size ?? 0, ToOffset(o.LastModified)));
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null && found.Count < limit);
        // S3 lists keys in UTF-8 binary order, which for these names (ASCII only) is ordinal order.
        return found;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        if (await GetInfoAsync(name, cancellationToken).ConfigureAwait(false) is null) return false;
        await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + name }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _s3.Dispose();

    private static DateTimeOffset ToOffset(DateTime? at) => at is { } t
        ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime())
        : DateTimeOffset.MinValue;

    /// <summary>The object's body; disposing it disposes the response (and its connection).</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) response.Dispose();
            base.Dispose(disposing);
        }
    }
}

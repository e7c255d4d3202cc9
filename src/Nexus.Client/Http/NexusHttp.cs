using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Nexus.Client.Http;

/// <summary>Sends one request and turns the answer into a model, a <see cref="NexusApiException"/> (problem+json) or a
/// <see cref="NexusConnectionException"/> (no answer, or an answer that is not the Nexus API).</summary>
internal sealed class NexusHttp
{
    private const int MaxBodyExcerpt = 200;
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly AuthenticationHeaderValue? _auth;

    public NexusHttp(HttpClient http, NexusClientOptions options)
    {
        _http = http;
        var root = options.BaseAddress ?? http.BaseAddress ?? NexusClientOptions.DefaultBaseAddress;
        if (!root.IsAbsoluteUri) throw new ArgumentException($"The Nexus server address must be absolute (was '{root}').", nameof(options));
        // A trailing slash makes relative paths extend a path prefix (https://host/nexus/) instead of replacing it.
        _base = root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/");
        _auth = string.IsNullOrWhiteSpace(options.ApiKey) ? null : new AuthenticationHeaderValue("Bearer", options.ApiKey.Trim());
    }

    public Uri BaseAddress => _base;

    /// <summary>The <see cref="HttpClient.Timeout"/> every request is bound by.</summary>
    public TimeSpan Timeout => _http.Timeout;

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, type, cancellationToken);

    public Task<T> PostAsync<T>(string path, HttpContent? body, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body, type, cancellationToken);

    public static HttpContent Json<T>(T value, JsonTypeInfo<T> type) =>
        new StringContent(JsonSerializer.Serialize(value, type), Encoding.UTF8, "application/json");

    public static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    public async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? body, JsonTypeInfo<T> type, CancellationToken cancellationToken,
        HttpStatusCode? alsoAccept = null)
    {
        using var response = await RawAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && response.StatusCode != alsoAccept) throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(text, type) ?? throw new JsonException("The answer is JSON null.");
        }
        catch (JsonException ex)
        {
            throw Unexpected(response, text, $"answered {method} {path} with a body that is not the expected {typeof(T).Name} ({ex.Message})");
        }
    }

    /// <summary>Sends a request whose success has no body (204).</summary>
    public async Task SendAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var response = await RawAsync(method, path, null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GETs <paramref name="path"/> and copies the body into <paramref name="destination"/> as it arrives.</summary>
    public async Task<ArtifactDownload> DownloadAsync(string path, Stream destination, string shownAs, CancellationToken cancellationToken)
    {
        using var response = await RawAsync(HttpMethod.Get, path, null, cancellationToken, HttpCompletionOption.ResponseHeadersRead, accept: "*/*").ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var counting = new CountingCopy();
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
        {
            await counting.CopyAsync(body, destination, cancellationToken).ConfigureAwait(false);
        }
        var headers = response.Content.Headers;
        return new ArtifactDownload(shownAs, counting.Bytes, headers.ContentType?.MediaType ?? "application/octet-stream", headers.LastModified);
    }

    /// <summary>Copies a stream and counts the bytes (a download's destination may not be seekable, e.g. stdout).</summary>
    private sealed class CountingCopy
    {
        public long Bytes { get; private set; }

        public async Task CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                Bytes += read;
            }
        }
    }

    /// <summary>Sends a request and returns its whole answer, whatever its status, when it carries
    /// <paramref name="forwardedHeader"/> (a service's own answer to an invoke, relayed by Nexus); any other failure is
    /// Nexus's own and throws as usual (<see cref="NexusApiException"/>).</summary>
    public async Task<ExchangeAnswer> ExchangeAsync(HttpMethod method, string path, HttpContent? body,
        IReadOnlyDictionary<string, string> headers, string forwardedHeader, CancellationToken cancellationToken)
    {
        using var response = await RawAsync(method, path, body, cancellationToken, accept: "*/*", headers: headers).ConfigureAwait(false);
        var forwarded = response.Headers.TryGetValues(forwardedHeader, out var values) ? values.FirstOrDefault() : null;
        if (!response.IsSuccessStatusCode && forwarded is null) throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in response.Headers.Concat(response.Content.Headers)) all[name] = string.Join(", ", value);
        return new ExchangeAnswer((int)response.StatusCode, forwarded, response.Content.Headers.ContentType?.ToString(), all, bytes);
    }

    private async Task<HttpResponseMessage> RawAsync(HttpMethod method, string path, HttpContent? body, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, string? accept = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_base, path)) { Content = body };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept ?? "application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        if (_auth is not null) request.Headers.Authorization = _auth;
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new NexusConnectionException($"Cannot reach the Nexus server at {_base}: {ex.Message}", isUnreachable: true, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation; the caller did not cancel, so say what happened.
            throw new NexusConnectionException($"The Nexus server at {_base} did not answer {method} {path} within {_http.Timeout.TotalSeconds:0.#} s.", isUnreachable: true, ex);
        }
    }

    private async Task<Exception> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var media = response.Content.Headers.ContentType?.MediaType;
        if (media is "application/problem+json" or "application/json" && TryProblem(text, response, out var problem)) return problem;
        return Unexpected(response, text, $"refused {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} without a problem description");
    }

    private static bool TryProblem(string text, HttpResponseMessage response, out NexusApiException problem)
    {
        problem = null!;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var code = Text("code");
            var title = Text("title");
            if (code is null && title is null) return false;
            var status = root.TryGetProperty("status", out var s) && s.TryGetInt32(out var n) ? (HttpStatusCode)n : response.StatusCode;
            problem = new NexusApiException(status, code ?? "unknown", title ?? response.ReasonPhrase ?? "Error",
                Text("detail") ?? title ?? "The server refused the request.", Text("field"), Text("traceId"), RetryAfter(response),
                Text("type"), Text("instance"));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - (response.Headers.Date ?? date);
        return response.Headers.TryGetValues("Retry-After", out var values) &&
               int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    private NexusConnectionException Unexpected(HttpResponseMessage response, string text, string what)
    {
        var excerpt = text.Length > MaxBodyExcerpt ? text[..MaxBodyExcerpt] + "…" : text;
        excerpt = excerpt.ReplaceLineEndings(" ").Trim();
        var media = response.Content.Headers.ContentType?.MediaType ?? "no content type";
        return new NexusConnectionException(
            $"The server at {_base} {what}: HTTP {(int)response.StatusCode}, {media}{(excerpt.Length > 0 ? ": " + excerpt : "")}. Is it a Nexus server?",
            isUnreachable: false, statusCode: (int)response.StatusCode);
    }
}

/// <summary>A whole answer of <see cref="NexusHttp.ExchangeAsync"/>.</summary>
internal sealed record ExchangeAnswer(int Status, string? Forwarded, string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body);

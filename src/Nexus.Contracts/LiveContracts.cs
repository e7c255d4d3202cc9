using System.Text.Json;

namespace Nexus.Contracts;

/// <summary>A minted live token.</summary>
/// <param name="Token">Pass it as <c>?access_token=</c> to /ws, /sse or a state watch.</param>
/// <param name="ExpiresAt">When it stops being accepted (connections opened before stay open).</param>
/// <param name="Device">The device id connections opened with it belong to.</param>
public sealed record LiveTokenResponse(string Token, DateTimeOffset ExpiresAt, string Device);

/// <summary>A state watch's answer: the changes after the cursor (each as on /ws) and the cursor to poll on from.</summary>
/// <param name="Changes">The changes, in log order (may be empty after the timeout).</param>
/// <param name="Next">Pass as <c>after</c> to the next poll.</param>
public sealed record StateWatchResponse(IReadOnlyList<JsonElement> Changes, string Next);

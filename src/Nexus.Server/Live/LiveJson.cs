using System.Text.Json.Serialization;

namespace Nexus.Server.Live;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TokenBody))]
internal sealed partial class LiveJson : JsonSerializerContext;

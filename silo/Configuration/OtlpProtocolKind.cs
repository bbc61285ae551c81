namespace Loire.Silo.Configuration;

/// <summary>How traces travel to the OpenTelemetry collector at <c>--otlp-endpoint</c>.</summary>
public enum OtlpProtocolKind
{
    /// <summary>OTLP over gRPC, conventionally port 4317.</summary>
    Grpc,

    /// <summary>OTLP http/protobuf, conventionally port 4318; spans are posted to <c>/v1/traces</c>.</summary>
    Http,
}

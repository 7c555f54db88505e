/// The ARM path of one API Management service, under which its certificates live.
///
/// `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}`
/// `/providers/Microsoft.ApiManagement/service/{serviceName}` (one path, broken here for width).
///
/// The segments are used as given: the caller passes segments that need no percent-encoding (ARM names do not).
public struct ARMServiceScope: Hashable, Sendable, Codable {
    /// The subscription id.
    public let subscriptionId: String
    /// The resource group's name.
    public let resourceGroupName: String
    /// The API Management service's name.
    public let serviceName: String

    /// Makes a scope.
    public init(subscriptionId: String, resourceGroupName: String, serviceName: String) {
        self.subscriptionId = subscriptionId
        self.resourceGroupName = resourceGroupName
        self.serviceName = serviceName
    }

    /// The service's path, without a trailing `/`.
    public var servicePath: String {
        "/subscriptions/\(subscriptionId)/resourceGroups/\(resourceGroupName)"
            + "/providers/Microsoft.ApiManagement/service/\(serviceName)"
    }

    /// The certificate collection's path: ``servicePath`` + `/certificates`.
    public var collectionPath: String { servicePath + "/certificates" }

    /// One certificate's path and ARM resource id: ``collectionPath`` + `/{certificateId}`.
    public func resourceID(certificateId: String) -> String {
        collectionPath + "/" + certificateId
    }
}

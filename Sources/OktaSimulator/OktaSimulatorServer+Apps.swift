import PierHTTP

extension OktaSimulatorServer {
    /// `/api/v1/apps…`: OIDC web apps, their lifecycle, group assignments and app users (REFERENCE §5).
    func addAppRoutes(to api: RouterGroup) {
        api.getSync("/apps") { [self] request, _ in
            _ = try authenticate(request)
            let query = listQuery(request)
            return response(try withOrg { try $0.listApps(query) })
        }
        api.onSync(.post, "/apps") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let activate = request.queryValue("activate")?.lowercased() != "false"
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.createApp(body: request.body, activate: activate, caller: caller, uri: u, now: t) })
        }
        api.getSync("/apps/{appId}") { [self] request, _ in
            _ = try authenticate(request)
            let id = try request.parameters.require("appId")
            return response(try withOrg { try $0.getApp(id) })
        }
        api.onSync(.put, "/apps/{appId}") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("appId")
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.replaceApp(id, body: request.body, caller: caller, uri: u, now: t) })
        }
        api.onSync(.delete, "/apps/{appId}") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("appId")
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.deleteApp(id, caller: caller, uri: u, now: t) })
        }
        api.onSync(.post, "/apps/{appId}/lifecycle/{operation}") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("appId"), operation = try request.parameters.require("operation")
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.appLifecycle(id, operation: operation, caller: caller, uri: u, now: t) })
        }

        api.getSync("/apps/{appId}/groups") { [self] request, _ in
            _ = try authenticate(request)
            let id = try request.parameters.require("appId")
            let query = listQuery(request)
            return response(try withOrg { try $0.listAssignments(id, query: query) })
        }
        api.getSync("/apps/{appId}/groups/{groupId}") { [self] request, _ in
            _ = try authenticate(request)
            let id = try request.parameters.require("appId"), gid = try request.parameters.require("groupId")
            let expand = request.queryValue("expand")?.contains("group") ?? false
            return response(try withOrg { try $0.getAssignment(id, groupID: gid, expandGroup: expand) })
        }
        api.onSync(.put, "/apps/{appId}/groups/{groupId}") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("appId"), gid = try request.parameters.require("groupId")
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.assignGroup(id, groupID: gid, body: request.body, caller: caller, uri: u, now: t) })
        }
        api.onSync(.delete, "/apps/{appId}/groups/{groupId}") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("appId"), gid = try request.parameters.require("groupId")
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.unassignGroup(id, groupID: gid, caller: caller, uri: u, now: t) })
        }

        api.getSync("/apps/{appId}/users") { [self] request, _ in
            _ = try authenticate(request)
            let id = try request.parameters.require("appId")
            let query = listQuery(request)
            return response(try withOrg { try $0.listAppUsers(id, query: query) })
        }
        api.onSync(.post, "/apps/{appId}/users") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("appId")
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.assignUser(id, body: request.body, caller: caller, uri: u, now: t) })
        }
        api.getSync("/apps/{appId}/users/{userId}") { [self] request, _ in
            _ = try authenticate(request)
            let id = try request.parameters.require("appId"), uid = try request.parameters.require("userId")
            let expand = request.queryValue("expand")?.contains("user") ?? false
            return response(try withOrg { try $0.getAppUser(id, userID: uid, expandUser: expand) })
        }
        api.onSync(.delete, "/apps/{appId}/users/{userId}") { [self] request, _ in
            let caller = try authenticate(request, write: true)
            let id = try request.parameters.require("appId"), uid = try request.parameters.require("userId")
            let t = self.now, u = uri(request)
            return response(try withOrg { try $0.unassignUser(id, userID: uid, caller: caller, uri: u, now: t) })
        }
    }
}

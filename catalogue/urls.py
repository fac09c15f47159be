from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.ProductListView.as_view(), name="product-list"),
    path("new/", views.ProductCreateView.as_view(), name="product-create"),
    path("<int:pk>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("<int:pk>/edit/", views.ProductEditView.as_view(), name="product-edit"),
    path("<int:pk>/delete/", views.ProductDeleteView.as_view(), name="product-delete"),
    path("groups/", views.GroupListView.as_view(), name="group-list"),
    path("groups/<int:pk>/edit/", views.GroupEditView.as_view(), name="group-edit"),
    path("groups/<int:pk>/delete/", views.GroupDeleteView.as_view(), name="group-delete"),
]
